#!/usr/bin/env bash
# One model of a long profile (the paper protocol: hours on a CPU) with `dec train`, resumable,
# with a log of its CPU time that benchmarks/stage_times.py turns into seconds per stage.
#
#   DEC_DATA_DIR=../shared/data bash benchmarks/paper_protocol.sh paper 0          # profile, seed
#   DEC_DATA_DIR=../shared/data bash benchmarks/paper_protocol.sh paper-e2e 0 mnist-test
#   ... paper 1 mnist-test --set kmeans_n_init=10    # arguments after the dataset go to dec train
#   TAG=p80 ... convdec-da-20k 2 mnist-test --pretrained runs/mnist-test-convdec-da-20k-seed2/model.pt \
#       --set dec_patience=80                     # clustering again on a finished run's network
#
# Run it again after an interruption (Ctrl-C, a killed job, a reboot): `dec train --resume`
# continues from the run's checkpoint (saved every 500 iterations). It runs with one torch thread,
# so two models (say paper and paper-e2e) can run side by side on a 2-core machine, one per core.
# Files, in runs/<dataset>-<profile>-seed<seed>[-<TAG>]/: record.json and model.pt at the end (record it
# in the ledger with tools/record_run.py), checkpoint.pt, stdout.log, stderr.log (progress bars)
# and cpu.log (one line a minute: CPU seconds of the process and its latest progress line).
set -u
PROFILE=${1:?usage: paper_protocol.sh PROFILE SEED [DATASET]}
SEED=${2:?usage: paper_protocol.sh PROFILE SEED [DATASET]}
DATASET=${3:-mnist-test}
PY=${PY:-.venv/bin/python}
OUT=${RUNS:-runs}/$DATASET-$PROFILE-seed$SEED${TAG:+-$TAG}
mkdir -p "$OUT"
[ -f "$OUT/record.json" ] && { echo "$OUT/record.json exists: this run is done"; exit 0; }
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
$PY -m dec train --dataset "$DATASET" --profile "$PROFILE" --seed "$SEED" --threads 1 \
  --device cpu --out "$OUT" --checkpoint-every 500 --resume --offline "${@:4}" \
  >> "$OUT/stdout.log" 2>> "$OUT/stderr.log" &
pid=$!
echo "$(date -u +%FT%TZ) started pid $pid: $PROFILE seed $SEED on $DATASET (progress: $OUT/stderr.log)"
tck=$(getconf CLK_TCK)
while kill -0 "$pid" 2>/dev/null; do
  cpu=$(awk -v t="$tck" '{print ($14+$15)/t}' "/proc/$pid/stat" 2>/dev/null)
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
  last=$(tail -c 300 "$OUT/stderr.log" | tr '\r' '\n' | grep -v '^$' | tail -1)
  [ -n "$cpu" ] && echo "$(date -u +%FT%TZ) pid=$pid profile $PROFILE cpu_s=$cpu state=$state | $last" >> "$OUT/cpu.log"
  sleep "${SAMPLE_S:-60}"
done
wait "$pid"
rc=$?
echo "$(date -u +%FT%TZ) $PROFILE seed $SEED exited with $rc"
tail -n 4 "$OUT/stdout.log"
exit $rc
