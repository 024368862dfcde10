"""The results ledger: one JSON record per run, with provenance; reruns replace, seeds add up."""

import json

from dec.results import latest_per_key, read_records, record_name, spread, write_run


def test_write_run_names_the_file_after_the_key_and_reruns_replace(tmp_path):
    key = {"dataset": "digits", "profile": "quick", "method": "AE + k-means", "r_min": 0.1, "seed": 0}
    path = write_run(tmp_path, "table4", key, {"acc": 0.5}, device="cpu", dec_iters=3)
    assert path.name == "table4-digits-quick-AE_k-means-0.1-0.json"
    rec = json.loads(path.read_text())
    assert rec["experiment"] == "table4" and rec["r_min"] == 0.1 and rec["metrics"] == {"acc": 0.5}
    assert rec["dec_iters"] == 3 and rec["provenance"]["device"] == "cpu"
    assert {"timestamp", "git_commit", "versions", "cpu_count", "cpu_model"} <= set(rec["provenance"])
    write_run(tmp_path, "table4", key, {"acc": 0.6})  # the same run again: replaced, not added
    write_run(tmp_path, "table4", {**key, "seed": 1}, {"acc": 0.8})
    records = read_records(tmp_path)
    assert sorted(r["metrics"]["acc"] for r in records) == [0.6, 0.8]
    assert not list(tmp_path.glob("*.tmp"))


def test_record_name_keeps_variants_and_runs_apart():
    rec = {"dataset": "mnist-test", "profile": "convdec-da", "seed": 3,
           "overrides": {"finetune_iters": 20000, "dims": (10,)},
           "provenance": {"timestamp": "2026-12-05T07:40:52+00:00"}}  # fmt: skip
    assert record_name(rec) == (
        "mnist-test-convdec-da-dims=_10_-finetune_iters=20000-seed3-2026-12-05T074052_0000.json"
    )
    assert record_name({**rec, "overrides": {}}, "pretrained") == (
        "mnist-test-convdec-da-seed3-pretrained-2026-12-05T074052_0000.json"
    )


def test_latest_per_key_and_spread():
    recs = [
        {"seed": 0, "v": 1, "provenance": {"timestamp": "2026-01-01T00:00:00+00:00"}},
        {"seed": 0, "v": 2, "provenance": {"timestamp": "2026-01-02T00:00:00+00:00"}},
        {"seed": 1, "v": 4, "provenance": {"timestamp": "2026-01-01T00:00:00+00:00"}},
    ]
    latest = latest_per_key(recs, lambda r: r["seed"])
    assert sorted(r["v"] for r in latest) == [2, 4]
    s = spread(r["v"] for r in latest)
    assert (s["mean"], s["min"], s["max"], s["n"]) == (3, 2, 4, 2) and abs(s["sd"] - 2**0.5) < 1e-12
    assert spread([5.0])["sd"] == 0.0


def test_record_step_copies_a_runs_records_into_the_ledger_and_says_what(tmp_path, capsys):
    """Chapter runs write under _build/results; only tools/record_results.py changes the ledger."""
    import json

    from conftest import load_script

    tool = load_script("tools/record_results.py")
    src, dst = tmp_path / "run", tmp_path / "ledger"
    (src / "experiments").mkdir(parents=True)
    (dst / "experiments").mkdir(parents=True)
    for name, acc in (("a", 0.5), ("b", 0.6), ("c", 0.7)):
        (src / "experiments" / f"{name}.json").write_text(json.dumps({"metrics": {"acc": acc}}))
    (dst / "experiments" / "b.json").write_text(json.dumps({"metrics": {"acc": 0.6}}))
    (dst / "experiments" / "c.json").write_text(json.dumps({"metrics": {"acc": 0.1}}))
    assert tool.main(["--src", str(src), "--dst", str(dst), "--dry-run"]) == 0
    assert json.loads((dst / "experiments" / "c.json").read_text())["metrics"]["acc"] == 0.1  # dry run
    assert not (dst / "experiments" / "a.json").exists()
    assert tool.main(["--src", str(src), "--dst", str(dst)]) == 0
    out = capsys.readouterr().out
    assert "changed: 1 new, 1 with other metrics, 1 with the same metrics" in out
    assert json.loads((dst / "experiments" / "c.json").read_text())["metrics"]["acc"] == 0.7
    assert tool.main(["--src", str(tmp_path / "nothing"), "--dst", str(dst)]) == 1
