"""Replay the clustering stage's stopping rule on recorded runs: where would a run have stopped,
and at what accuracy, with another plateau patience (``dec_patience``)?

A record's ``history`` holds one entry per target update (iteration, fraction of labels changed,
accuracy, training loss). Training up to a stop does not depend on the stopping rule, so a run
with a shorter patience is its recorded run cut at the first update where the rule
(:func:`dec.clustering.should_stop`, the one training uses) fires: this replays exactly what it
would have computed, without training. A longer patience than the record's cannot be replayed
(the run was not continued); those columns say "ran out". Each record is first replayed at its
own patience, which must reproduce its recorded end.

    python benchmarks/replay_stopping.py 'results/benchmarks/cpu-intel/mnist-test-convdec-da-20k-seed*'
    python benchmarks/replay_stopping.py --patience 10,20,40 RECORD.json ...

Only the history of the clustering run that a record kept is stored, so for several starts
(``kmeans_views``) this replays the kept one.
"""

from __future__ import annotations

import argparse
import glob
import json
from pathlib import Path

from dec.clustering import should_stop


def replay(history: list[dict], tol: float, patience: int) -> dict | None:
    """The history entry at which the rule stops the run, or None if it runs out first."""
    for k in range(2, len(history) + 1):
        if should_stop(history[:k], tol, patience):
            return history[k - 1]
    return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("records", nargs="+", help="record files or quoted glob patterns")
    ap.add_argument("--patience", default="10,20,30,40", help="comma-separated patiences to replay")
    args = ap.parse_args(argv)
    try:
        patiences = [int(p) for p in args.patience.split(",")]
    except ValueError:
        patiences = []
    if not patiences or min(patiences) < 0:
        raise SystemExit(f"--patience: expected comma-separated whole numbers >= 0, got {args.patience!r}")
    files = sorted({f for pattern in args.records for f in (glob.glob(pattern) or [pattern])})
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        raise SystemExit(f"no record file matches {missing[0]!r}: give record files or quoted glob patterns")
    for f in files:
        try:
            r = json.loads(Path(f).read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise SystemExit(f"{f}: not a JSON record ({err})") from None
        h, cfg = r.get("history") or [], r.get("config") or {}
        if len(h) < 2 or "changed" not in h[-1]:
            print(f"{Path(f).name}: no clustering history, skipped")
            continue
        own = cfg.get("dec_patience", 0)
        end = replay(h, cfg.get("tol", 0.0), own)
        if (end is None and r.get("converged")) or (end is not None and end["iter"] != h[-1]["iter"]):
            where = "runs out" if end is None else f"stops at iteration {end['iter']}"
            raise SystemExit(
                f"{Path(f).name}: the replay at its own patience {own} {where}, the record ended at "
                f"{h[-1]['iter']} (converged: {r.get('converged')}): not the same rule"
            )
        cells = []
        for p in patiences:
            stop = replay(h, cfg.get("tol", 0.0), p)
            acc = float("nan") if stop is None else stop.get("acc", float("nan"))
            shown = "ran out" if stop is None else f"{stop['iter']:>6,} it. ACC {acc:.4f}"
            cells.append(f"p{p}: {shown}")
        print(f"{Path(f).name[:70]:<70} seed {r.get('seed')} (own p{own}) | " + " | ".join(cells))


if __name__ == "__main__":
    main()
