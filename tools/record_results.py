"""Record the results of the last chapter run in the committed ledger: the one explicit step that
changes ``results/``. Chapter runs (``make main``, ``make test``) write their records under
``_build/results/``; this copies them into ``results/`` and says what it adds and replaces.

    python tools/record_results.py                 # _build/results -> results
    python tools/record_results.py --dry-run       # only list what would change
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", default=str(ROOT / "_build" / "results"), help="records of the last run")
    ap.add_argument("--dst", default=str(ROOT / "results"), help="the committed ledger")
    ap.add_argument("--dry-run", action="store_true", help="list what would change, change nothing")
    args = ap.parse_args(argv)
    src, dst = Path(args.src), Path(args.dst)
    files = sorted(src.glob("**/*.json")) if src.is_dir() else []
    if not files:
        print(f"no records under {src}: run the chapters first (make main)", file=sys.stderr)
        return 1
    added = replaced = same = 0
    for path in files:
        target = dst / path.relative_to(src)
        new = json.loads(path.read_text())
        if target.is_file():
            old = json.loads(target.read_text())
            if old.get("metrics") == new.get("metrics"):
                same += 1
                what = "replaces (same metrics)"
            else:
                replaced += 1
                what = "replaces (metrics changed)"
        else:
            added += 1
            what = "adds"
        print(f"{what:<27} {target.relative_to(dst.parent) if dst.parent in target.parents else target}")
        if not args.dry_run:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    verb = "would change" if args.dry_run else "changed"
    print(f"{verb}: {added} new, {replaced} with other metrics, {same} with the same metrics")
    return 0


if __name__ == "__main__":
    sys.exit(main())
