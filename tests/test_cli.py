import json
import subprocess
import sys

import pytest

from dec.cli import main, parse_overrides


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "dec", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
        timeout=300,
    )


def test_train_end_to_end_writes_record_and_model(tmp_path):
    out = tmp_path / "run"
    r = run(
        "train",
        "--dataset",
        "digits",
        "--seed",
        "2",
        "--threads",
        "1",
        "--quiet",
        "--offline",
        "--out",
        str(out),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--set",
        "dims=32,32,5",
        "--set",
        "finetune_iters=50",
        "--set",
        "update_interval=10",
        "--set",
        "max_iter=60",
        "--set",
        "kmeans_n_init=2",
        "--set",
        "ae_batch_size=64",
        "--set",
        "augment=none",
    )
    assert r.returncode == 0, r.stderr
    assert "DEC        acc" in r.stdout
    rec = json.loads((out / "record.json").read_text())
    assert rec["dataset"] == "digits" and rec["seed"] == 2 and rec["n_samples"] == 1797
    assert set(rec["metrics"]) >= {"acc", "nmi", "ari", "kmeans_acc"}
    assert set(rec["times_s"]) >= {"load", "pretrain", "kmeans", "dec", "total"}
    assert rec["config"]["dims"] == [32, 32, 5] and rec["config"]["finetune_iters"] == 50
    assert rec["provenance"]["versions"]["torch"] and "device" in rec["provenance"]
    assert rec["history"][0]["iter"] == 0
    assert (out / "model.pt").is_file()

    from dec import DEC, load_dataset

    model = DEC.load(out / "model.pt", device="cpu")
    assert (model.predict(load_dataset("digits").X) == model.labels_).all()


TINY_RUN = ["--dataset", "digits", "--seed", "1", "--threads", "1", "--quiet", "--offline", "--set",
            "dims=16,5", "--set", "finetune_iters=40", "--set", "update_interval=10", "--set", "max_iter=40",
            "--set", "kmeans_n_init=2", "--set", "augment=none"]  # fmt: skip


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny") / "a"
    assert main(["train", *TINY_RUN, "--out", str(out)]) == 0
    return out


@pytest.mark.filterwarnings("ignore:DEC ended with")
def test_train_from_a_pretrained_run_repeats_its_clustering_stage(tiny_run, tmp_path, capsys, monkeypatch):
    """--pretrained: k-means and DEC again on the saved network, no pretraining; same settings and
    seed give the run's own result, and the record says where the network came from."""
    model = tiny_run / "model.pt"
    assert main(["train", *TINY_RUN, "--out", str(tmp_path / "b"), "--pretrained", str(model)]) == 0
    a, b = (json.loads((d / "record.json").read_text()) for d in (tiny_run, tmp_path / "b"))
    assert b["metrics"] == a["metrics"] and b["dec_iters"] == a["dec_iters"]
    assert b["pretrained_from"] == str(model) and a["pretrained_from"] is None
    assert b["autoencoder_digest"] == a["autoencoder_digest"] and len(a["autoencoder_digest"]) == 64
    assert b["times_s"]["pretrain"] == 0.0 and b["stage_times"] == {} and a["stage_times"]
    assert b["config"] == a["config"]
    # a clustering setting changes the run; the network stays the saved one's. A run's folder stands
    # for its model, and the default output folder names the settings tried.
    monkeypatch.chdir(tmp_path)
    assert main(["train", *TINY_RUN, "--pretrained", str(tiny_run), "--set", "max_iter=20"]) == 0
    (folder,) = (tmp_path / "runs").glob("digits-default-seed1-pretrained-dims=_16_5_-*-max_iter=20-*")
    c = json.loads((folder / "record.json").read_text())
    assert c["dec_iters"] <= 20 < a["dec_iters"] and c["metrics"]["kmeans_acc"] == a["metrics"]["kmeans_acc"]
    # the profile's pretraining differs from the network's: said, and the record keeps the network's
    assert main(["train", *TINY_RUN[:-4], "--out", str(tmp_path / "d"), "--pretrained", str(model)]) == 0
    assert "was pretrained with other settings than profile default's (augment)" in capsys.readouterr().err
    assert json.loads((tmp_path / "d" / "record.json").read_text())["config"]["augment"] == "none"


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--pretrained", "{tmp}/missing.pt"], "no such file"),
        (["--pretrained", "{tmp}/record.json"], "not a model saved by dec"),
        (["--pretrained", "{run}/checkpoint.pt"], "not a model written by DEC.save"),
        (["--pretrained", "{run}/model.pt", "--out", "{run}"], "would overwrite the run"),
        (["--pretrained", "{run}/model.pt", "--set", "finetune_iters=9"], "with finetune_iters=40"),
    ],
)
def test_train_from_a_pretrained_run_refuses_what_it_cannot_do(extra, message, tiny_run, tmp_path, capsys):
    (tmp_path / "record.json").write_text("{}")
    extra = [e.format(tmp=tmp_path, run=tiny_run) for e in extra]
    out = [] if "--out" in extra else ["--out", str(tmp_path / "b")]
    assert main(["train", *TINY_RUN, *out, *extra]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--set", "bogus=1"], "unknown config field 'bogus'"),
        (["train", "--set", "update_interval"], "FIELD=VALUE"),
        (["train", "--set", "tol=5"], "'tol' = 5 is invalid"),
        (["train", "--set", "finetune_dropout=1"], "'finetune_dropout' = 1.*probability"),
        (["train", "--device", "cuda:7"], "CUDA is not available|device"),
        (["train", "--dataset", "mnist", "--offline", "--data-dir", "/nonexistent"], "not found offline"),
    ],
)
def test_bad_arguments_give_clear_errors(args, message, capsys):
    assert main(args) == 2
    assert pytest.importorskip("re").search(message, capsys.readouterr().err)


def test_unknown_dataset_choice_is_rejected():
    r = run("train", "--dataset", "mnits")
    assert r.returncode == 2 and "invalid choice: 'mnits'" in r.stderr


def test_help_and_config():
    r = run("train", "--help")
    assert r.returncode == 0 and "--profile" in r.stdout and "examples:" in r.stdout
    r = run("config", "--profile", "paper")
    cfg = json.loads(r.stdout)
    assert cfg["pretrain"] == "layerwise" and cfg["layer_iters"] == 50000 and cfg["update_interval"] == 160
    # Without --profile: the library's default, dec-da-5k: quick's recipe pretrained longer (at most
    # 5,000 iterations and 250 passes over the data) with DEC-DA's clustering stage and its plateau stop.
    default, quick = (json.loads(run("config", *a).stdout) for a in ([], ["--profile", "quick"]))
    assert default["profile"] == "default" and default["finetune_iters"] == 5_000
    assert default["finetune_epochs"] == 250
    changed = {k for k in default if default[k] != quick[k]}
    assert changed == {"profile", "finetune_iters", "finetune_epochs", "dec_augment", "dec_patience"}
    assert default["dec_augment"] == "affine" and default["dec_patience"] == 10


def test_parse_overrides_types():
    assert parse_overrides(["dims=500,500,2000,10", "ae_lr=1e-3", "pretrain=layerwise"]) == {
        "dims": (500, 500, 2000, 10),
        "ae_lr": 1e-3,
        "pretrain": "layerwise",
    }


def test_the_twenty_minute_records_are_named_by_their_profile():
    """The chapters name the ledger's records of the 20-minute setting (made with --set before the
    profile existed) by convdec-da-16k-2starts: the profile must be exactly what those runs ran."""
    from pathlib import Path

    from dec.config import matching_profile

    ledger = Path(__file__).resolve().parents[1] / "results" / "benchmarks"
    stem = "mnist-test-convdec-da-20k-2starts-dec_patience=20-finetune_iters=16000-precision=bf16-seed*.json"
    records = [json.loads(f.read_text()) for f in sorted(ledger.glob(f"cpu-*/{stem}"))]
    if not records:
        pytest.skip("no results ledger in this checkout")
    assert sorted(r["seed"] for r in records) == [0, 1, 2, 3, 4]
    for r in records:
        assert matching_profile(r["config"], r["n_samples"]) == "convdec-da-16k-2starts"
        assert matching_profile(r["config"]) == "convdec-da-16k-2starts"


def test_the_fashion_keras_recipe_records_are_named_dec_keras():
    """The float32 Fashion-MNIST runs of DEC-keras's recipe (made with --set before the profile
    existed) are what dec-keras runs on 70,000 images; runs with any other override (bfloat16,
    other clustering stages on those networks) are not."""
    from pathlib import Path

    from dec.config import matching_profile

    ledger = Path(__file__).resolve().parents[1] / "results" / "benchmarks"
    records = [json.loads(f.read_text()) for f in sorted(ledger.glob("cpu-*/fashion-mnist-paper-e2e-*.json"))]
    if not records:
        pytest.skip("no results ledger in this checkout")
    recipe = {"init", "input_scaling", "ae_lr", "ae_lr_step", "finetune_iters", "update_interval", "max_iter"}
    named = {}
    for r in records:  # exactly the runs with the recipe's overrides and no other are dec-keras
        name = matching_profile(r["config"], r["n_samples"])
        assert (name == "dec-keras") == (set(r["overrides"]) == recipe), r["overrides"]
        named.setdefault(name, set()).add(r["seed"])
    assert {0, 1, 2} <= named["dec-keras"] and None in named  # the bf16 runs: no profile
    for r in records:  # without n_samples, finetune_epochs (0 in the records, 300 in the profile) differs
        assert matching_profile(r["config"]) is None


def test_matching_profile_names_what_a_record_ran():
    from dec.config import Config, matching_profile

    as_quick = Config.from_profile("quick", finetune_iters=10_000).to_dict()
    assert matching_profile(as_quick) is None  # finetune_epochs: 0, where quick-10k has 250
    assert matching_profile(as_quick, n_samples=10_000) == "quick-10k"  # both resolve to 10,000
    assert matching_profile(as_quick, n_samples=1797) is None  # quick-10k: 2,000 on 1,797 samples
    as_quick.pop("finetune_epochs")
    assert matching_profile(as_quick) == "quick-10k"  # a record made before finetune_epochs existed
    on_digits = Config.from_profile("quick-10k").for_samples(1797).to_dict()
    assert on_digits["finetune_iters"] == 2000
    assert matching_profile(on_digits) is None and matching_profile(on_digits, n_samples=1797) == "quick-10k"
    # default is dec-da-5k, which is named first; on 1,797 samples the 250 passes bind before either
    # iteration cap, so there it computes what dec-da does, which is named before it
    assert Config.from_profile("default").to_dict() == {
        **Config.from_profile("dec-da-5k").to_dict(),
        "profile": "default",
    }
    default = Config.from_profile("default")
    assert matching_profile(default.to_dict(), n_samples=10_000) == "dec-da-5k"
    assert matching_profile(default.for_samples(1797).to_dict(), n_samples=1797) == "dec-da"
    # kmeans_views: absent (before the field), a number (one start) or a list (a record's JSON)
    two = Config.from_profile("convdec-da-20k-2starts").to_dict()
    assert two["kmeans_views"] == [0, 4] and matching_profile(two) == "convdec-da-20k-2starts"
    for one in (0, [0]):
        assert matching_profile({**two, "kmeans_views": one}) == "convdec-da-20k"
    assert matching_profile({**two, "kmeans_views": 4}) is None
    assert matching_profile({k: v for k, v in two.items() if k != "kmeans_views"}) == "convdec-da-20k"
    # the 20-minute profile is 2starts with three fields changed: any one of them back makes it another run
    short = Config.from_profile("convdec-da-16k-2starts").to_dict()
    assert matching_profile(short) == "convdec-da-16k-2starts"
    assert matching_profile(short, n_samples=10_000) == "convdec-da-16k-2starts"
    for field in ("finetune_iters", "dec_patience", "precision"):
        assert matching_profile({**short, field: two[field]}) is None
    # a dec-da run made before its finetune_epochs matches
    older = Config.from_profile("dec-da", finetune_epochs=0).to_dict()
    assert matching_profile(older, n_samples=10_000) == "dec-da" and matching_profile(older) is None
    # a record written before dec_patience existed ran without the plateau rule: not dec-da
    del older["dec_patience"]
    assert matching_profile(older, n_samples=10_000) is None
    assert matching_profile({}) is None
    assert matching_profile(Config.from_profile("paper").to_dict()) == "paper"
    assert matching_profile(Config.from_profile("quick", dec_lr=0.5).to_dict()) is None
    old = {
        k: v for k, v in Config.from_profile("quick").to_dict().items() if k not in ("precision", "compile")
    }
    assert matching_profile(old) == "quick"  # records written before a field existed
