"""benchmarks/replay_stopping.py: cutting a recorded run where a shorter plateau patience stops
gives exactly the run trained with that patience."""

import json

import pytest
from conftest import TINY, load_script

from dec import DEC


@pytest.fixture(scope="module")
def replay_module():
    return load_script("benchmarks/replay_stopping.py")


def test_replay_equals_the_run_with_that_patience(digits, replay_module, tmp_path, capsys):
    X, y = digits.X[:300], digits.y[:300]
    cfg = {**TINY, "max_iter": 600, "tol": 0.0, "update_interval": 5}  # only the plateau rule stops

    def run(patience):
        return DEC(5, config={**cfg, "dec_patience": patience}, random_state=2).fit(X, y)

    long, short = run(4), run(1)
    assert short.converged_ and short.n_iter_ < long.n_iter_  # the shorter patience stopped first
    stop = replay_module.replay(long.history_, 0.0, 1)
    assert (stop["iter"], stop["acc"], stop["changed"]) == (
        short.history_[-1]["iter"],
        short.history_[-1]["acc"],
        short.history_[-1]["changed"],
    )
    assert replay_module.replay(long.history_, 0.0, 4)["iter"] == long.history_[-1]["iter"]
    # the script: a record replayed at its own patience must end where it ended
    record = {"seed": 2, "config": long.config_.to_dict(), "history": long.history_}
    path = tmp_path / "run.json"
    path.write_text(json.dumps(record))
    replay_module.main([str(path), "--patience", "1,4,8"])
    out = capsys.readouterr().out
    assert f"p1: {short.n_iter_:>6,} it." in out and "p8: ran out" in out
    record["config"]["dec_patience"] = 1  # a record whose stated rule does not give its end
    path.write_text(json.dumps(record))
    with pytest.raises(SystemExit, match="not the same rule"):
        replay_module.main([str(path)])


def test_replay_stops_on_tol_as_training_does(digits, replay_module):
    X, y = digits.X[:300], digits.y[:300]
    cfg = {**TINY, "max_iter": 600, "update_interval": 5, "dec_patience": 0}
    full = DEC(5, config={**cfg, "tol": 0.0}, random_state=2).fit(X, y)  # never stops early
    early = DEC(5, config={**cfg, "tol": 0.01}, random_state=2).fit(X, y)
    assert early.converged_ and early.n_iter_ < full.n_iter_
    stop = replay_module.replay(full.history_, 0.01, 0)
    assert (stop["iter"], stop["acc"]) == (early.n_iter_, early.history_[-1]["acc"])


@pytest.mark.parametrize(
    "argv, message",
    [
        (["missing-*.json"], "no record file matches"),
        (["{path}", "--patience", "ten"], "--patience: expected"),
        (["{path}", "--patience", "-1"], "--patience: expected"),
        (["{bad}"], "not a JSON record"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(replay_module, tmp_path, argv, message):
    (tmp_path / "r.json").write_text(json.dumps({"history": []}))
    (tmp_path / "bad.json").write_text("{not json")
    paths = {"path": str(tmp_path / "r.json"), "bad": str(tmp_path / "bad.json")}
    with pytest.raises(SystemExit, match=message):
        replay_module.main([a.format(**paths) for a in argv])
