"""The tools around long runs: benchmarks/stage_times.py (CPU seconds per stage from the
minute-by-minute log of benchmarks/paper_protocol.sh) and tools/record_run.py (one finished
``dec train`` run into the ledger, with DEC without backprop)."""

import json

import pytest
from conftest import load_script


def line(ts, pid, cpu, stage, it, total, profile="paper"):
    return (
        f"{ts} pid={pid} profile {profile} cpu_s={cpu} state=R | {stage}:  10%|█         | "
        f"{it}/{total} [00:50<10:31, 73.06it/s, loss=0.04679]"
    )


def test_stage_times_counts_cpu_per_stage_across_pauses_and_restarts():
    st = load_script("benchmarks/stage_times.py")
    log = [
        line("t0", 1, 10.0, "layer 1/4", 1000, 50_000),
        line("t1", 1, 20.0, "layer 1/4", 2000, 50_000),  # 100 it per CPU s
        line("t2", 1, 20.0, "layer 1/4", 2000, 50_000),  # paused: no CPU, no iterations
        line("t3", 1, 30.0, "layer 2/4", 500, 50_000),  # stage change: this pair is left out
        line("t4", 2, 5.0, "layer 2/4", 400, 50_000),  # restart (new process, from a checkpoint)
        line("t5", 2, 15.0, "layer 2/4", 900, 50_000),  # 50 it per CPU s
        line("t6", 2, 16.0, "layer 2/4", 950, 50_000, profile="paper-e2e"),  # another run: ignored
        "not a sample line",
    ]
    samples = st.parse(log, "paper")
    assert len(samples) == 6
    times = st.stage_times(samples)
    assert times["layer 1/4"]["iters"] == 1000 and times["layer 1/4"]["cpu_s"] == pytest.approx(10.0)
    assert times["layer 1/4"]["schedule_cpu_s"] == pytest.approx(500.0)
    assert times["layer 2/4"]["it_per_cpu_s"] == pytest.approx(50.0)
    assert times["layer 2/4"]["schedule_cpu_s"] == pytest.approx(1000.0)


def test_stage_times_refuses_a_log_without_the_profile(tmp_path, capsys):
    st = load_script("benchmarks/stage_times.py")
    (tmp_path / "cpu.log").write_text(line("t0", 1, 1.0, "autoencoder", 10, 100) + "\n")
    assert st.main([str(tmp_path / "cpu.log"), "--profile", "paper-e2e"]) == 1
    assert "fewer than two samples of profile 'paper-e2e'" in capsys.readouterr().err


def test_record_run_adds_wo_backprop_machine_and_stage_cpu(tmp_path, capsys):
    from dec import DEC, load_dataset

    ds = load_dataset("digits")
    cfg = {
        "dims": (32, 32, 5),
        "finetune_iters": 40,
        "update_interval": 10,
        "max_iter": 30,
        "kmeans_n_init": 2,
        "ae_batch_size": 64,
        "augment": "none",
    }
    model = DEC(10, profile="quick", config=cfg, random_state=1, device="cpu").fit(ds.X, ds.y)
    run = tmp_path / "run"
    run.mkdir()
    model.save(run / "model.pt")
    m = model.evaluate(ds.y)
    record = {
        "experiment": "dec",
        "dataset": "digits",
        "n_samples": len(ds.X),
        "n_clusters": 10,
        "profile": "quick",
        "seed": 1,
        "overrides": cfg,
        "metrics": m,
        "times_s": model.times_,
        "provenance": {"torch_threads": 1, "cpu_count": 2, "timestamp": "2026-12-05T07:40:52+00:00"},
    }
    tool = load_script("tools/record_run.py")
    assert tool.main([str(run), "--dst", str(tmp_path / "ledger")]) == 1  # not finished: no record.json
    assert "has not finished" in capsys.readouterr().err
    (run / "record.json").write_text(json.dumps(record))
    (run / "cpu.log").write_text(
        "\n".join(line(f"t{i}", 7, 2.0 * i, "autoencoder", 10 * i, 40, "quick") for i in range(1, 4))
    )
    assert (
        tool.main([str(run), "--dst", str(tmp_path / "ledger"), "--wo-backprop", "--beside", "nothing"]) == 0
    )
    # named after dataset, profile, overrides, seed and the run's time (no spaces, brackets or colons)
    (path,) = (tmp_path / "ledger").glob("digits-quick-*-seed1-2026-12-05T074052_0000.json")
    assert "-finetune_iters=40-" in path.name and "-dims=_32_32_5_-" in path.name
    rec = json.loads(path.read_text())
    frozen = rec["dec_wo_backprop"]
    assert 0 <= frozen["metrics"]["acc"] <= 1 and frozen["dec_iters"] >= 1
    # the run's network and seed: DEC w/o backprop starts from the run's own k-means
    assert frozen["metrics"]["kmeans_acc"] == m["kmeans_acc"]
    assert rec["metrics"] == m and rec["ran_beside"] == "nothing"
    assert rec["machine"].endswith("2 cores, 1 torch thread")
    assert rec["stage_cpu"]["autoencoder"]["it_per_cpu_s"] == pytest.approx(5.0)
