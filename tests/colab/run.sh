#!/usr/bin/env bash
# `make test-colab`: the course on Colab's stack, offline after the first run.
#
# Colab runs Python 3.13 with torch 2.11.0, torchvision 0.26.0 and numpy 2.1.3 preinstalled, and its IPython and
# notebook are too old for nbgrader, so a student there gets the course package alone. This script
#   1. builds the package's wheel (pip wheel --no-deps .);
#   2. fills a wheelhouse once (COLAB_WHEELS, default .cache/colab-wheels) with Colab's stack and the test runner's
#      packages (pytest, nbval, ipykernel; never nbgrader), then installs only from it (--no-index);
#   3. makes a clean Python 3.13 environment with that stack (COLAB_VENV, default .cache/colab-venv);
#   4. runs every RELEASE notebook's setup cell there, without the package and with COURSE_PACKAGE pointing at the
#      wheel: the cell must install it and say so in one line; and in the dev environment ($PY), where it must do
#      nothing and say nothing;
#   5. checks that installing the wheel would install nothing else (Colab's torch stays as it is), installs it, and
#      runs every solution notebook with its hidden tests under pytest --nbval-lax, quick profile, stand-in data, CPU.
# SOLUTIONS and RELEASE name other notebook folders (copies, for trying a change before it is committed).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
PY=${PY:-.venv/bin/python}
WHEELS=$(realpath -m "${COLAB_WHEELS:-.cache/colab-wheels}")
VENV=$(realpath -m "${COLAB_VENV:-.cache/colab-venv}")
SOLUTIONS=${SOLUTIONS:-solutions}
RELEASE=${RELEASE:-course}
STACK="torch==2.11.0 torchvision==0.26.0 numpy==2.1.3 matplotlib pillow tensorboard==2.20.0"   # what Colab has preinstalled
RUNNER="pytest==9.2.0 nbval==0.11.0 ipykernel==7.4.0"                      # what the test run itself needs

find_python() {       # a Python 3.13 that runs: COLAB_PYTHON, python3.13 on PATH, or pyenv's
    for p in "${COLAB_PYTHON:-}" "$(command -v python3.13 || true)" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3.13; do
        [ -n "$p" ] && [ -x "$p" ] && "$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null \
            && { echo "$p"; return; }
    done
    echo "make test-colab needs Python 3.13 (Colab's); set COLAB_PYTHON=/path/to/python3.13" >&2; exit 1
}
PYTHON313=$(find_python)
step() { echo; echo "== $* ($(( SECONDS ))s)"; }

step "1. the course package's wheel"
rm -rf .cache/colab-build && mkdir -p .cache/colab-build
"$PY" -m pip wheel --quiet --no-deps --wheel-dir .cache/colab-build .
rm -rf build    # setuptools' scratch folder in the checkout
WHEEL=$(ls "$REPO"/.cache/colab-build/pytorch_course_grader-*.whl)
echo "$WHEEL"

step "2. the wheelhouse $WHEELS"
mkdir -p "$WHEELS"
if [ "$(cat "$WHEELS/.complete" 2>/dev/null)" != "$STACK $RUNNER" ]; then
    "$PYTHON313" -m pip download --quiet --dest "$WHEELS" $STACK $RUNNER
    echo "$STACK $RUNNER" > "$WHEELS/.complete"
else
    echo "reusing it (delete it to download again)"
fi
OFFLINE=(--no-index --find-links "$WHEELS")

step "3. a clean Python 3.13 environment in $VENV"
rm -rf "$VENV"
"$PYTHON313" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet "${OFFLINE[@]}" $STACK $RUNNER
"$VENV/bin/python" -c 'import torch, torchvision, numpy; print("torch", torch.__version__, "| torchvision",
    torchvision.__version__, "| numpy", numpy.__version__)'

step "4. the release notebooks' setup cells: install in Colab, quiet in the dev environment"
COURSE_PACKAGE="$WHEEL" PIP_NO_INDEX=1 PIP_FIND_LINKS="$WHEELS" COURSE_DEVICE=cpu \
    "$VENV/bin/python" tests/colab/check_setup_cell.py install "$RELEASE"/*/*.ipynb
COURSE_DEVICE=cpu "$PY" tests/colab/check_setup_cell.py quiet "$RELEASE"/*/*.ipynb

step "5. the wheel installs alone, then every solution notebook with its hidden tests (nbval-lax)"
"$VENV/bin/python" -m pip install --quiet --dry-run --report .cache/colab-build/report.json "${OFFLINE[@]}" "$WHEEL"
"$VENV/bin/python" - <<'EOF'
import json, sys
names = [item["metadata"]["name"] for item in json.load(open(".cache/colab-build/report.json"))["install"]]
print("installing the wheel would install:", ", ".join(names))
sys.exit(0 if names == ["pytorch-course-grader"] else "the wheel's dependencies would change Colab's packages")
EOF
"$VENV/bin/python" -m pip install --quiet "${OFFLINE[@]}" "$WHEEL"
cd /tmp   # import the installed package, never the checkout's grader/ folder
"$VENV/bin/python" -c 'import grader, sys; print("grader from", grader.__file__); sys.exit("site-packages" not in grader.__file__)'
cd "$REPO"
mkdir -p .cache/colab-data
COURSE_PROFILE=quick COURSE_CIFAR=standin COURSE_DEVICE=cpu COURSE_DATA="$REPO/.cache/colab-data" \
    "$VENV/bin/python" -m pytest -p no:cacheprovider --nbval-lax --nbval-current-env --nbval-cell-timeout 600 \
    -o addopts= -o testpaths= "$SOLUTIONS"
step "done"
