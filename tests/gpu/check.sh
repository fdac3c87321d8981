#!/usr/bin/env bash
# The course's GPU check, in one call: every solution notebook with its hidden tests on CUDA, the course grader on
# CUDA (reference, untouched release, every `needs: cuda` wrong answer, the right answers), and the speed ladder.
#
#   bash tests/gpu/check.sh OUT            # on a machine with an NVIDIA GPU: logs and JSON into the folder OUT
#   bash tests/gpu/check.sh OUT --rehearse # the same steps, small and on the CPU (what `make test` runs)
#   STEPS="notebooks grading" bash tests/gpu/check.sh OUT   # only these steps (a call limited to a few minutes)
#
# On the lent GPU machines (torch preinstalled, no Jupyter): fetch the wheels here first with
# ../shared/gpu/fetch-wheels.sh, carry `.whl`, and the script installs them into /tmp/site (see README).
# Every step runs even when an earlier one fails; OUT/summary.txt says which passed; the exit status is 0 only
# when all did. Files in OUT: env.txt, notebooks.log, grading.log, sweep.log, sweep.json,
# ladder.log, ladder.json, summary.txt.
set -uo pipefail
OUT=${1:?usage: bash tests/gpu/check.sh OUT_DIR [--rehearse]}
MODE=${2:-gpu}
STEPS=${STEPS:-notebooks grading sweep ladder}
cd "$(dirname "$0")/../.."
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PY=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
export COURSE_PROFILE=quick COURSE_CIFAR=standin PYTHONDONTWRITEBYTECODE=1

if [ "$MODE" = "--rehearse" ]; then      # small and on the CPU: proves the plumbing, not the GPU
  DEVICE=cpu GRADER_DEVICE=cuda-sim NOTEBOOKS=solutions/01-tensors GRADE_ONLY="01-tensors:cuda-sim or 01-tensors:one_hot"
  LADDER=(--quick --device cpu --rungs 1,3) SWEEP=(--quick --device cpu)
else
  DEVICE=cuda GRADER_DEVICE=cuda NOTEBOOKS=solutions GRADE_ONLY=""
  # --allow-busy: the notebook steps just loaded the CPU; the JSON records the load (its "quiet" says)
  SWEEP=(--device cuda --epochs 2 --train-size 10000 --test-size 2000 --max-epochs 15 --allow-busy)
  LADDER=("${SWEEP[@]}")
fi

if ! "$PY" -c 'import nbgrader, nbval, ipykernel' 2>/dev/null; then
  if [ ! -d .whl ]; then
    echo "No Jupyter stack for $PY and no .whl folder: run ../shared/gpu/fetch-wheels.sh here and carry .whl." >&2
    exit 2
  fi
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl
  export PATH=/tmp/site/bin:$PATH PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
  "$PY" -m ipykernel install --user --name python3 >/dev/null
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}     # the grader package, without installing it

{ date -u; uptime; "$PY" --version
  "$PY" -c 'import torch; print("torch", torch.__version__, "| CUDA", torch.version.cuda, "| GPU:",
            torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none")'
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
  echo "mode: $MODE | device $DEVICE | grader device $GRADER_DEVICE"; } > "$OUT/env.txt" 2>&1
if [ "$DEVICE" = cuda ] && ! "$PY" -c 'import torch, sys; sys.exit(not torch.cuda.is_available())'; then
  echo "No GPU here (torch.cuda.is_available() is False): use --rehearse on a CPU machine." | tee -a "$OUT/env.txt" >&2
  exit 2
fi

declare -A STATUS
step() {   # step NAME SECONDS COMMAND...: run with a time limit, log into OUT/NAME.log, remember pass/fail
  local name=$1 limit=$2; shift 2
  [[ " $STEPS " == *" $name "* ]] || return 0
  local start=$SECONDS
  timeout "$limit" "$@" > "$OUT/$name.log" 2>&1
  local rc=$?
  STATUS[$name]="$( [ $rc = 0 ] && echo passed || echo "FAILED (exit $rc)" ) in $((SECONDS - start)) s"
  echo "$name: ${STATUS[$name]}"
}

step notebooks 240 env COURSE_DEVICE="$DEVICE" "$PY" -m pytest "$NOTEBOOKS" --nbval-lax -p no:cacheprovider \
  -q -rfE --nbval-cell-timeout 300
step grading 240 env COURSE_GRADER_DEVICE="$GRADER_DEVICE" "$PY" -m pytest tests/autograde/test_course.py \
  tests/autograde/test_template.py \
  -p no:cacheprovider -q -rfE ${GRADE_ONLY:+-k "$GRADE_ONLY"}
# the sweep tunes the large-batch rungs' recipe on this device first; the ladder then uses it (commit both JSONs)
step sweep 200 "$PY" benchmarks/gpu_ladder.py --sweep "${SWEEP[@]}" --out "$OUT/sweep.json"
step ladder 300 "$PY" benchmarks/gpu_ladder.py "${LADDER[@]}" --sweep-file "$OUT/sweep.json" --out "$OUT/ladder.json"

{ cat "$OUT/env.txt"; for name in $STEPS; do echo "$name: ${STATUS[$name]}"; done
  grep -hsE '^[0-9]+ (passed|failed)|^(FAILED|ERROR) ' "$OUT/notebooks.log" "$OUT/grading.log"; } > "$OUT/summary.txt"
for name in $STEPS; do [[ ${STATUS[$name]} == passed* ]] || exit 1; done
echo "all steps passed: $OUT/summary.txt"
