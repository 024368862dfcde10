#!/usr/bin/env bash
# The one prepared script for a lent GPU machine (one run, at most about 9 minutes; see benchmarks/README.md).
# Run from the repository root with the datasets in $DEC_DATA_DIR (mnist-test/, fashion-mnist/):
#
#   OUT=/tmp/gpu-out DEC_DATA_DIR=.data bash benchmarks/gpu_session.sh
#
# Phases, each under its own time cap so that a slow phase cannot eat the next one; every run
# writes its record as soon as it ends, and records + logs are packed into $OUT on exit:
#   1. (alone)    iterations per second of every stage of the paper protocol (the four layer-wise
#                 pairs, fine-tuning), eager and captured (compile=reduce-overhead: CUDA graphs), on
#                 a shortened schedule; the printed rates per stage come from the records' stage_times
#   2. (parallel) the paper protocol to the end on mnist-test, captured: `paper` and `paper-e2e`,
#                 seeds 0-4 each, one lane per model; beside them the successors of DEC on
#                 mnist-test (seeds 0-4, three lanes): the named profiles dec-da and idec, then
#                 DEC-DA and IDEC-DA on quick-10k's longer pretraining; convdec-da-20k-2starts
#                 (pretrained 20,000 iterations; its records hold the single-start run too), then
#                 convdec-da-20k on Fashion-MNIST (70,000 images); and, in a fourth lane,
#                 convdec-da-16k-2starts (the 20-minute CPU profile: 16,000 iterations, bf16 autocast);
#                 in a fifth, dec-keras on Fashion-MNIST (its best profile on a CPU), seeds 0-4 in turn,
#                 as many as the cap allows
# SMOKE=1 shrinks every run to a few iterations (to test this script on a CPU: DEVICE=cpu).
set -u
OUT=${OUT:-/tmp/gpu-out}
DEVICE=${DEVICE:-cuda}
REC=${REC:-/tmp/gpu-records}
LOG=${LOG:-/tmp/gpu-logs}
mkdir -p "$OUT" "$REC" "$LOG"
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1 OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
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
SHORT=(--set layer_iters=3000 --set finetune_iters=6000 --set max_iter=1 --set kmeans_n_init=1)
CAP=1
if [ "${SMOKE:-0}" = 1 ]; then
  SMALL=(--set layer_iters=20 --set finetune_iters=30 --set max_iter=40 --set kmeans_n_init=2)
  SHORT=(--set layer_iters=20 --set finetune_iters=30 --set max_iter=1 --set kmeans_n_init=1)
  CAP=${SMOKE_CAP:-1}
fi
bench() {  # bench NAME TIMEOUT ARGS...: one bench_mnist_test.py run, log in $LOG/NAME.log
  local name=$1 cap=$(( $2 * CAP )); shift 2
  timeout "$cap" $PY benchmarks/bench_mnist_test.py --device "$DEVICE" --threads 1 --record-dir "$REC" \
    "$@" > "$LOG/$name.log" 2>&1
  echo "rc=$?" >> "$LOG/$name.log"
}
summary() { tr '\r' '\n' < "$LOG/$1.log" | grep -E "^seed|mean|rc=|Error|error" | tail -n 14; }

stamp "start on $(hostname)"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 | tail -n +1
$PY -c "import torch, sklearn, numpy; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'sklearn', sklearn.__version__, 'numpy', numpy.__version__)"
if ! $PY -c "import dec.estimator" 2>/dev/null && ls .whl/*.whl >/dev/null 2>&1; then  # scikit-learn too old there
  $PY -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site:$PYTHONPATH
fi
$PY -c "import dec.estimator; print('dec imports')" || exit 1

stamp "phase 1: it/s per stage of the paper protocol, eager and captured (reduce-overhead), alone"
bench stages-eager 75 --dataset mnist-test --profile paper --seeds 0 "${SHORT[@]}"
bench stages-captured 150 --dataset mnist-test --profile paper --seeds 0 "${SHORT[@]}" --set compile=reduce-overhead
for f in stages-eager stages-captured; do echo "== $f"; grep -E "it/s per stage|rc=|Error" "$LOG/$f.log"; done

stamp "phase 2: the paper protocol to the end (captured) beside DEC's successors, in parallel lanes"
CAPTURE=(--set compile=reduce-overhead)
[ "$DEVICE" = cuda ] || CAPTURE=()
for s in 0 1 2 3 4; do
  bench paper-s$s 330 --dataset mnist-test --profile paper --seeds $s "${CAPTURE[@]}" "${SMALL[@]}" &
  bench paper-e2e-s$s 330 --dataset mnist-test --profile paper-e2e --seeds $s "${CAPTURE[@]}" "${SMALL[@]}" &
done
# The named profiles (quick's pretraining), then the same clustering stages on quick-10k's longer
# pretraining (10,000 iterations; ConvDEC-DA 20,000: convdec-da-20k): the larger lever on a GPU.
# IDEC-DA: idec's loss weights and learning rate with dec-da's augmented minibatches.
LONG=(--set finetune_iters=10000 --set finetune_epochs=250)
( bench dec-da 100 --dataset mnist-test --profile dec-da --seeds 0-4 "${SMALL[@]}"
  bench dec-da-long 230 --dataset mnist-test --profile dec-da --seeds 0-4 "${LONG[@]}" "${SMALL[@]}" ) &
( bench idec 100 --dataset mnist-test --profile idec --seeds 0-4 "${SMALL[@]}"
  bench idec-da-long 230 --dataset mnist-test --profile dec-da --seeds 0-4 --set recon_weight=2.0 \
    --set kl_weight=0.1 --set dec_lr=0.1 "${LONG[@]}" "${SMALL[@]}" ) &
( bench convdec-da 200 --dataset mnist-test --profile convdec-da-20k-2starts --seeds 0-4 "${SMALL[@]}"
  bench convdec-da-fashion 130 --dataset fashion-mnist --profile convdec-da-20k --seeds 0 "${SMALL[@]}" ) &
bench convdec-da-16k 330 --dataset mnist-test --profile convdec-da-16k-2starts --seeds 0-4 "${SMALL[@]}" &
bench dec-keras-fashion 330 --dataset fashion-mnist --profile dec-keras --seeds 0-4 "${SMALL[@]}" &
wait
for f in paper-s0 paper-e2e-s0 dec-da dec-da-long idec idec-da-long convdec-da convdec-da-fashion \
    convdec-da-16k dec-keras-fashion; do
  echo "== $f"; summary $f
done
stamp "done"
