#!/usr/bin/env bash
# The one prepared script for a lent GPU machine (one run, at most about 9 minutes; see benchmarks/README.md).
# Run from the repository root with the datasets in $DEC_DATA_DIR (mnist-test/, fashion-mnist/):
#
#   OUT=/tmp/gpu-out DEC_DATA_DIR=.data bash benchmarks/gpu_session.sh
#
# Phases, each under its own time cap so that a slow phase cannot eat the next one; every run
# writes its record as soon as it ends, and records + logs are packed into $OUT on exit:
#   1. (alone)    autoencoder step time per precision (fp32 / tf32 / bf16), eager
#   2. (alone)    the paper protocol on mnist-test, seed 0, fp32: wall time per phase
#   3. (parallel) the paper protocol on Fashion-MNIST (70,000 images), seed 0, beside
#                 the pretraining grid on mnist-test: quick (3,000 iterations) seeds 0-9,
#                 10,000 and 20,000 iterations seeds 0-9, quick in bf16 and tf32 seeds 0-4
#   4. (alone)    step time with torch.compile (default, reduce-overhead), fp32
# SMOKE=1 shrinks every run to a few iterations (to test this script on a CPU: DEVICE=cpu).
set -u
OUT=${OUT:-/tmp/gpu-out}
DEVICE=${DEVICE:-cuda}
REC=${REC:-/tmp/gpu-records}
LOG=${LOG:-/tmp/gpu-logs}
mkdir -p "$OUT" "$REC" "$LOG"
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1 OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
PY=${PY:-python3}
T0=$(date +%s)
stamp() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
finish() {
  tar czf "$OUT/records.tgz" -C "$REC" . 2>/dev/null
  tar czf "$OUT/logs.tgz" -C "$LOG" . 2>/dev/null
  stamp "packed $(ls "$REC" | wc -l) records"
}
trap finish EXIT

SMALL=()
STEPS=500
MM=4096
if [ "${SMOKE:-0}" = 1 ]; then
  MM=256
  SMALL=(--set layer_iters=20 --set finetune_iters=30 --set max_iter=40 --set kmeans_n_init=2)
  STEPS=5
fi
bench() {  # bench NAME TIMEOUT ARGS...: one bench_mnist_test.py run, log in $LOG/NAME.log
  local name=$1 cap=$2; shift 2
  timeout "$cap" $PY benchmarks/bench_mnist_test.py --device "$DEVICE" --threads 2 --record-dir "$REC" \
    "$@" "${SMALL[@]}" > "$LOG/$name.log" 2>&1
  echo "rc=$?" >> "$LOG/$name.log"
}

stamp "start on $(hostname)"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 | tail -n +1
$PY -c "import torch, sklearn, numpy; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'sklearn', sklearn.__version__, 'numpy', numpy.__version__)"
if ! $PY -c "import dec.estimator" 2>/dev/null && ls .whl/*.whl >/dev/null 2>&1; then  # scikit-learn too old there
  $PY -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site:$PYTHONPATH
fi
$PY -c "import dec.estimator; print('dec imports')" || exit 1

stamp "phase 1: step time per precision (eager)"
timeout 60 $PY benchmarks/bench_step.py --device "$DEVICE" --precision fp32,tf32,bf16 --compile none \
  --steps $STEPS --matmul-n $MM --json "$REC/step-eager.json" 2>&1 | tee "$LOG/step-eager.log"

stamp "phase 2: paper protocol, mnist-test, seed 0, alone"
bench paper-mnist-test 180 --dataset mnist-test --profile paper --seeds 0 --progress
summary() { tr '\r' '\n' < "$LOG/$1.log" | grep -E "^seed|mean|peak|rc=|Error|error" | tail -n 18; }
summary paper-mnist-test

stamp "phase 3: Fashion-MNIST paper protocol beside the pretraining grid on mnist-test"
bench paper-fashion 215 --dataset fashion-mnist --profile paper --seeds 0 --progress &
bench quick 215 --dataset mnist-test --profile quick --seeds 0-9 &
bench ft10000 215 --dataset mnist-test --profile quick --seeds 0-9 --set finetune_iters=10000 &
bench ft20000 215 --dataset mnist-test --profile quick --seeds 0-9 --set finetune_iters=20000 &
( bench bf16 105 --dataset mnist-test --profile quick --seeds 0-4 --set precision=bf16
  bench tf32 105 --dataset mnist-test --profile quick --seeds 0-4 --set precision=tf32 ) &
wait
for f in paper-fashion quick ft10000 ft20000 bf16 tf32; do
  echo "== $f"; summary $f
done

stamp "phase 4: step time with torch.compile (fp32), alone"
timeout 60 $PY benchmarks/bench_step.py --device "$DEVICE" --precision fp32 --compile default,reduce-overhead \
  --steps $STEPS --matmul-n $MM --json "$REC/step-compile.json" 2>&1 | tee "$LOG/step-compile.log"
stamp "done"
