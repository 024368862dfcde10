"""The benchmark script (benchmarks/bench_mnist_test.py) on the built-in digits, in a tiny setting:
it writes one record per seed with the figures the accuracy/speed issue asks for."""

import importlib.util
import json
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_mnist_test.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_mnist_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
        assert 50 < r["peak_rss_mib"] < 16_384  # torch alone takes more than 50 MiB; KiB would be ~1e6
        assert "finetune_iters=30" in next(tmp_path.glob(f"*seed{r['seed']}*")).name
    assert records[1]["peak_rss_mib"] >= records[0]["peak_rss_mib"]  # the process peak so far
    assert "acc: mean" in out and "peak RSS" in out


def test_seed_lists_and_bad_input(bench):
    assert bench.parse_seeds("0-3") == [0, 1, 2, 3] and bench.parse_seeds("5,1") == [5, 1]
    with pytest.raises(SystemExit, match="expected a range"):
        bench.parse_seeds("zero")
    with pytest.raises(SystemExit, match="empty range"):
        bench.parse_seeds("3-1")
    with pytest.raises(SystemExit, match="--threads"):
        bench.main(["--threads", "two"])
    with pytest.raises(SystemExit, match="unknown profile 'fast'"):
        bench.main(["--profile", "fast", "--threads", "1"])
    with pytest.raises(SystemExit, match="'ae_lr' = -1 is invalid"):
        bench.main(["--set", "ae_lr=-1", "--threads", "1"])
    with pytest.raises(SystemExit, match="unknown config field 'lr'"):
        bench.main(["--set", "lr=0.1", "--threads", "1"])


def test_flop_count_of_the_paper_network(bench):
    from dec.models import StackedAutoencoder

    ae = StackedAutoencoder(784, (500, 500, 2000, 10), "xavier")
    weights = 784 * 500 + 500 * 500 + 500 * 2000 + 2000 * 10  # one direction
    # per weight and sample, in both directions: 2 flops forward, 2 for the weight gradient, 2 for
    # the input gradient -- not of the first layer, whose input needs none (19.2 MFLOP; the issue
    # says "about 20")
    assert bench.ae_flops_per_sample(ae) == 2 * 6 * weights - 2 * 784 * 500 == 19_160_000


def test_flop_check_figures(bench, capsys):
    torch.set_num_threads(1)
    out = bench.flop_check(torch.rand(600, 64), epochs=1)  # 2 minibatches of 256, quick's network
    assert out["samples_per_epoch"] == 512 and out["mflop_per_sample"] == pytest.approx(
        bench.ae_flops_per_sample(bench.StackedAutoencoder(64, (500, 500, 2000, 10))) / 1e6
    )
    assert out["ratio"] == pytest.approx(out["epoch_s"] / out["bound_s"])
    assert out["bound_s"] == pytest.approx(out["mflop_per_sample"] * 1e6 * 512 / (out["matmul_gflops"] * 1e9))
    assert out["products_alone_s"] > 0  # (how it compares with the bound is timing: not tested)
    assert out["products_alone_ratio"] == pytest.approx(out["products_alone_s"] / out["bound_s"])
    assert out["products_in_sequence_ratio"] == pytest.approx(out["products_in_sequence_s"] / out["bound_s"])
    assert "ratio" in capsys.readouterr().out


def test_step_products_are_the_steps_products(bench):
    """Per Linear layer (in -> out), in order: forward (B, out), weight gradient (out, in) and,
    but for the first layer, input gradient (B, in)."""
    from dec.models import StackedAutoencoder

    shapes = [tuple(p().shape) for p in bench.step_products(StackedAutoencoder(64, (32, 10), "xavier"), 8)]
    assert shapes == [
        (8, 32),
        (32, 64),  # 64 -> 32
        (8, 10),
        (10, 32),
        (8, 32),  # 32 -> 10
        (8, 32),
        (32, 10),
        (8, 10),  # 10 -> 32
        (8, 64),
        (64, 32),
        (8, 32),
    ]  # 32 -> 64


def test_flop_check_times_the_runs_configuration(bench):
    """The epoch is the run's (--profile, --set): its batch size and network here."""
    from dec.config import Config

    torch.set_num_threads(1)
    cfg = Config.from_profile("quick", ae_batch_size=200, dims=(32, 10))
    out = bench.flop_check(torch.rand(600, 64), cfg, epochs=1)
    assert out["samples_per_epoch"] == 600 and out["compile"] == "none"
    assert out["mflop_per_sample"] == pytest.approx((12 * (64 * 32 + 32 * 10) - 2 * 64 * 32) / 1e6)
