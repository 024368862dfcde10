"""Per-stage CPU time of a long ``dec train`` run, from the log that ``paper_protocol.sh`` samples.

A run of the paper protocol on a CPU takes hours, is paused and resumed, and shares the machine
with other work, so its wall time says little. ``paper_protocol.sh`` writes one line a minute:

    2026-12-01T00:28:01Z pid=2288 profile paper cpu_s=114.99 state=R | layer 1/4:  16%| ... | 8230/50000 ...

(the CPU seconds of the training process and its latest progress line). This script reads those
lines and prints, per stage (``layer 1/4`` ... ``autoencoder`` ... ``DEC``): the iterations seen,
the CPU seconds they took (between two samples of the same process in the same stage), the rate,
and the stage's whole schedule at that rate (not for DEC, which stops when the labels settle).
With one torch thread, CPU seconds are the run's time on one core; the figure does not count
pauses, and work redone after a restart (at most ``--checkpoint-every`` iterations) is counted
once, as the rate is per iteration.

    python benchmarks/stage_times.py runs/monitor.log --profile paper
    python benchmarks/stage_times.py runs/monitor.log --profile paper --json stage_cpu.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict

LINE = re.compile(
    r"^(?P<ts>\S+) pid=(?P<pid>\d+) profile (?P<profile>\S+) cpu_s=(?P<cpu>[\d.]+) state=\S+ \| "
    r"(?P<stage>[^:|]+):\s+\d+%\|[^|]*\|\s*(?P<it>\d+)/(?P<total>\d+)"
)


def parse(lines, profile: str) -> list[dict]:
    """The samples of ``profile``: dicts with pid, cpu, stage, it and total, in log order."""
    out = []
    for line in lines:
        m = LINE.match(line.strip())
        if m and m["profile"] == profile:
            out.append(
                {
                    "pid": m["pid"],
                    "cpu": float(m["cpu"]),
                    "stage": m["stage"].strip(),
                    "it": int(m["it"]),
                    "total": int(m["total"]),
                    "ts": m["ts"],
                }
            )
    return out


def stage_times(samples: list[dict]) -> dict:
    """Per stage: iterations and CPU seconds between consecutive samples of one process in that
    stage (a pause adds no CPU time; a sample pair across a stage change is left out), the rate
    in iterations per CPU second, and the stage's schedule (``total`` iterations) at that rate."""
    acc = defaultdict(lambda: {"iters": 0, "cpu_s": 0.0, "total": 0})
    for a, b in zip(samples, samples[1:], strict=False):
        if a["pid"] != b["pid"] or a["stage"] != b["stage"] or b["it"] < a["it"]:
            continue
        s = acc[b["stage"]]
        s["iters"] += b["it"] - a["it"]
        s["cpu_s"] += b["cpu"] - a["cpu"]
        s["total"] = b["total"]
    out = {}
    for stage, s in acc.items():
        if s["iters"] == 0 or s["cpu_s"] <= 0:
            continue
        rate = s["iters"] / s["cpu_s"]
        out[stage] = {**s, "it_per_cpu_s": rate, "schedule_cpu_s": s["total"] / rate}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("log", help="the minute-by-minute log written by paper_protocol.sh")
    ap.add_argument("--profile", required=True, help="the profile whose run to read (paper, paper-e2e, ...)")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    with open(args.log) as f:
        samples = parse(f, args.profile)
    if len(samples) < 2:
        print(f"{args.log}: fewer than two samples of profile {args.profile!r}", file=sys.stderr)
        return 1
    times = stage_times(samples)
    print(f"{'stage':<14}{'iterations seen':>16}{'CPU s':>10}{'it/CPU s':>10}{'schedule':>10}{'CPU s':>10}")
    for stage, s in times.items():
        schedule = "stops at tol" if stage == "DEC" else f"{s['total']:>10,}{s['schedule_cpu_s']:>10.0f}"
        print(f"{stage:<14}{s['iters']:>16,}{s['cpu_s']:>10.0f}{s['it_per_cpu_s']:>10.1f}{schedule:>20}")
    total = sum(s["schedule_cpu_s"] for name, s in times.items() if name != "DEC")
    print(
        f"pretraining, whole schedule: {total:,.0f} CPU s = {total / 3600:.2f} h on one core "
        "(DEC: the iterations in the run's record at the rate above)"
    )
    if args.json:
        with open(args.json, "w") as f:
            out = {"profile": args.profile, "source": args.log, "stages": times, "pretraining_cpu_s": total}
            json.dump(out, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
