"""The benchmark script (benchmarks/bench_mnist_test.py) on the built-in digits, in a tiny setting:
it writes one record per seed with the figures the accuracy/speed issue asks for."""

import json

import pytest
import torch
from conftest import load_script


@pytest.fixture(scope="module")
def bench():
    return load_script("benchmarks/bench_mnist_test.py")


@pytest.fixture(autouse=True)
def keep_threads():
    """main() sets torch's thread count for the whole process; give the other tests theirs back."""
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def test_records_hold_metrics_times_loss_and_peak_memory(bench, tmp_path, capsys):
    bench.main(
        [
            "--dataset",
            "digits",
            "--profile",
            "quick",
            "--seeds",
            "0,1",
            "--threads",
            "1",
            "--set",
            "finetune_iters=30",
            "--set",
            "max_iter=30",
            "--set",
            "kmeans_n_init=2",
            "--set",
            "dims=64,32,10",
            "--record-dir",
            str(tmp_path),
        ]
    )
    out = capsys.readouterr().out
    records = sorted((json.loads(p.read_text()) for p in tmp_path.glob("*.json")), key=lambda r: r["seed"])
    assert [r["seed"] for r in records] == [0, 1]
    for r in records:
        assert r["dataset"] == "digits" and r["overrides"]["finetune_iters"] == 30 and r["threads"] == 1
        assert 0 <= r["metrics"]["acc"] <= 1 and r["pretrain_loss"] > 0
        assert {"pretrain", "kmeans", "dec", "total"} <= set(r["times_s"])
        assert r["stage_times"]["finetune"]["iters"] == 30 and r["stage_times"]["finetune"]["seconds"] > 0
        assert set(r["stage_times"]) == {"finetune"}
        assert 50 < r["peak_rss_mib"] < 16_384  # torch alone takes more than 50 MiB; KiB would be ~1e6
        assert "finetune_iters=30" in next(tmp_path.glob(f"*seed{r['seed']}*")).name
    assert records[1]["peak_rss_mib"] >= records[0]["peak_rss_mib"]  # the process peak so far
    assert "acc: mean" in out and "peak RSS" in out
    assert "seed 0: pretraining it/s per stage: finetune " in out


def test_stage_rates_divide_each_stages_iterations_by_its_seconds(bench):
    times = {
        "layer1": {"iters": 101, "seconds": 2.5, "first_s": 0.5},
        "finetune": {"iters": 301, "seconds": 3.0, "first_s": 0.0},
    }
    assert bench.stage_rates(times) == "layer1 50.0 (first step 0.5 s), finetune 100.0 (first step 0.0 s)"
    assert bench.stage_rates({"layer2": {"iters": 0, "seconds": 0.0, "first_s": 0.0}}) == ""  # done before
