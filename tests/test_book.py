import matplotlib
import pytest

matplotlib.use("Agg")


def test_import_has_no_side_effects_and_presets_differ():
    import importlib

    import dec.book as plotting

    before = dict(matplotlib.rcParams)
    importlib.reload(plotting)  # runs the module's top level again
    assert dict(matplotlib.rcParams) == before
    with matplotlib.rc_context():
        plotting.use_style("book")
        book = matplotlib.rcParams["font.size"]
        plotting.use_style("instructor")  # slides: larger type
        assert matplotlib.rcParams["font.size"] > book
        assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"] == plotting.PALETTE
    with pytest.raises(ValueError, match="unknown style preset 'slides'"):
        plotting.use_style("slides")


def test_class_cmap_is_the_colour_blind_set():
    from dec.book import class_cmap

    assert len(set(class_cmap(10).colors)) == 10
    with pytest.raises(ValueError, match="10 distinguishable colours, 12 requested"):
        class_cmap(12)


def test_save_figure_writes_png_and_svg(tmp_path):
    import matplotlib.pyplot as plt

    from dec.book import save_figure

    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    paths = save_figure(fig, "figure9", tmp_path / "figs")
    plt.close(fig)
    assert [p.name for p in paths] == ["figure9.png", "figure9.svg"]
    assert paths[0].read_bytes()[:4] == b"\x89PNG" and b"<svg" in paths[1].read_bytes()[:400]


def test_cached_results_are_computed_once_per_key(tmp_path, monkeypatch):
    import numpy as np

    from dec.book import cached, cached_labels

    monkeypatch.setenv("DEC_CACHE_DIR", str(tmp_path))
    calls = []

    def fit():
        calls.append(1)
        return np.array([0, 1, 1])

    first = cached_labels("baseline", fit, method="m", data="d")
    again = cached_labels("baseline", fit, method="m", data="d")
    other = cached_labels("baseline", fit, method="m", data="other data")
    assert len(calls) == 2 and first[1] == again[1] >= 0  # the first run's seconds are kept
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[0], other[0])
    assert cached("x", lambda: {"v": 3}, a=1) == {"v": 3} and cached("x", lambda: {"v": 4}, a=1) == {"v": 3}


def test_run_time_reads_the_ledger_and_says_when_it_cannot(tmp_path):
    import json

    from dec.book import run_time

    assert "not measured yet" in run_time("02-soft-assignment", tmp_path)
    record = {
        "chapter": "02-soft-assignment",
        "params": {"profile": "quick", "dataset": "mnist-test"},
        "threads": 1,
        "jobs": 2,
        "metrics": {"seconds": 125.0},
        "machine": {"cpus": 2, "gpu": None},
    }
    (tmp_path / "02-soft-assignment.json").write_text(json.dumps(record))
    text = run_time("02-soft-assignment", tmp_path)
    assert text.startswith("2.1 min on a 2-core CPU (quick profile, mnist-test, 1 torch thread(s)")
    record["metrics"]["seconds"], record["machine"]["gpu"] = 42.4, "NVIDIA H200"
    (tmp_path / "02-soft-assignment.json").write_text(json.dumps(record))
    assert run_time("02-soft-assignment", tmp_path).startswith("42 s on an NVIDIA H200 GPU")


def test_whole_run_seconds_only_where_the_record_timed_the_whole_pipeline():
    from dec.book import whole_run_seconds

    rec = {"times_s": {"pretrain": 50.0, "total": 60.0}}
    assert whole_run_seconds(rec) == 60.0
    fresh = {"resumed": False, "ae_cache_hit": False, "pretrained_from": None}
    assert whole_run_seconds({**rec, **fresh}) == 60.0
    for part in ({"resumed": True}, {"ae_cache_hit": True}, {"pretrained_from": "runs/a/model.pt"}):
        assert whole_run_seconds({**rec, **part}) is None


def test_benchmark_runs_groups_by_profile_data_and_machine(tmp_path):
    import json

    from dec.book import benchmark_runs, machine_with_most_seeds
    from dec.config import Config

    def record(name, profile, seed, stamp, acc, gpu=None, threads=1, experiment="benchmark", cpu_model=None):
        rec = {
            "experiment": experiment,
            "dataset": "mnist-test",
            "n_samples": 10_000,
            "seed": seed,
            "config": Config.from_profile(profile).for_samples(10_000).to_dict(),
            "metrics": {"acc": acc},
            "provenance": {"timestamp": stamp, "cpu_count": 2, "torch_threads": threads, "gpu": gpu},
        }
        if experiment != "dec":  # dec train records say it in their provenance only
            rec["threads"] = threads
        if cpu_model:
            rec["provenance"]["cpu_model"] = cpu_model
        (tmp_path / f"{name}.json").write_text(json.dumps(rec))

    record("a", "quick", 0, "2026-01-01T00:00:00", 0.80)
    record("b", "quick", 0, "2026-01-02T00:00:00", 0.81)  # a later run of the same seed replaces it
    record("c", "idec", 1, "2026-01-01T00:00:00", 0.82)
    record("d", "idec", 1, "2026-01-01T00:00:00", 0.83, gpu="NVIDIA H100")
    record("e", "dec-da", 0, "2026-01-01T00:00:00", 0.90)  # not asked for
    record("f", "quick", 3, "2026-01-01T00:00:00", 0.70, experiment="table2")  # not a whole run
    record("h", "idec", 2, "2026-01-01T00:00:00", 0.84, experiment="dec")  # dec train, recorded
    record("g", "quick", 1, "2026-01-03T00:00:00", 0.85, cpu_model="Intel(R) Xeon(R) Processor")
    runs = benchmark_runs(tmp_path, ["idec", "quick"])
    assert list(runs) == [
        ("idec", "mnist-test", "2-core CPU, 1 thread"),
        ("idec", "mnist-test", "NVIDIA H100"),
        ("quick", "mnist-test", "2-core CPU (Intel Xeon Processor), 1 thread"),
        ("quick", "mnist-test", "2-core CPU, 1 thread"),
    ]
    quick = runs[("quick", "mnist-test", "2-core CPU, 1 thread")]
    assert list(quick) == [0] and quick[0]["metrics"]["acc"] == 0.81
    assert sorted(runs[("idec", "mnist-test", "2-core CPU, 1 thread")]) == [1, 2]
    # the machine where both have runs, and most seeds of the scarcer one
    assert machine_with_most_seeds(runs, ["idec", "quick"], "mnist-test") == "2-core CPU, 1 thread"
    assert machine_with_most_seeds(runs, ["idec"], "mnist-test") == "2-core CPU, 1 thread"
    intel = "2-core CPU (Intel Xeon Processor), 1 thread"
    assert machine_with_most_seeds(runs, ["quick"], "mnist-test") == intel  # one seed each: the first machine
    assert machine_with_most_seeds(runs, ["idec", "quick"], "usps") is None
    assert benchmark_runs(tmp_path / "none", ["quick"]) == {}
