# The PyTorch course. `make lab` to study, `make test` to check everything; `make help` lists the rest.
# Every target sets up the virtual environment on first use (see `setup`).

VENV ?= .venv
# The interpreter that builds $(VENV): the one PYTHON names, else the newest python3.13 ... python3.10 that runs
# (a pyenv shim of a version that is not active is found by `command -v` but does not run), else python3.
SUPPORTED_PYTHONS := 3.13 3.12 3.11 3.10
ifndef PYTHON
PYTHON := $(shell for v in $(SUPPORTED_PYTHONS); do p=$$(command -v python$$v) && $$p -c '' 2>/dev/null && { echo $$p; exit; }; done; command -v python3)
endif
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.course-setup-done
A ?=
# The kernels' device for `make autograde` (cpu, cuda, cuda-sim: a simulated GPU); empty: COURSE_DEVICE or CUDA when available.
DEVICE ?=
PORT ?= 8888
# `make lab`'s server, in one place: the browser test starts the same command on a copy of course/.
LAB_ROOT ?= course
LAB_ARGS = --ServerApp.root_dir=$(LAB_ROOT) --port=$(PORT) $(if $(filter 0,$(shell id -u)),--allow-root)
# Tools that nbgrader and Jupyter start by name (alembic, jupyter-*) come from the virtual environment.
export PATH := $(abspath $(BIN)):$(PATH)
# Checks run in the quick profile on the generated CIFAR-10 stand-in, so they are fast, offline and compare
# against outputs that were recorded on that same data.
TEST_ENV := COURSE_PROFILE=quick COURSE_CIFAR=standin
PYTEST_NBVAL := --nbval --nbval-sanitize-with .nbval-sanitize.cfg --nbval-cell-timeout 600

.DEFAULT_GOAL := help
.PHONY: help setup lab lab-command test test-browser test-colab test-gpu gpu-check release check-release autograde feedback export similarity clean hub test-hub

help: ## List the targets
	@echo "Usage: make TARGET [A=assignment]"
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  \1\t/' | expand -t 18

setup: $(STAMP) ## Create $(VENV) with the pinned packages, the grader package and nbgrader's extensions

$(STAMP): requirements.txt pyproject.toml
	@py=$(PY); test -x $$py || py="$(PYTHON)"; \
	$$py -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null || { \
	  echo "The course needs Python 3.10 to 3.13 (found: $$($$py --version 2>&1 | head -1)). Install one, or run make PYTHON=/path/to/python3.13 ..."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -e '.[grading]'
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (PyTorch course)"
	$(BIN)/jupyter server extension enable --sys-prefix nbgrader.server_extensions.assignment_list nbgrader.server_extensions.validate_assignment >/dev/null 2>&1
	$(BIN)/jupyter labextension enable --level=sys_prefix @jupyter/nbgrader >/dev/null
	@touch $@

lab: setup ## Open the course in JupyterLab
	$(BIN)/jupyter lab $(LAB_ARGS)

lab-command: ## Print the command `make lab` runs (LAB_ROOT=dir PORT=n change it; the browser test uses this)
	@echo $(BIN)/jupyter lab $(LAB_ARGS)

test: setup ## Run every check (tests/README.md): unit tests, notebooks (nbval), release sync, the course graded by its grader
	$(TEST_ENV) $(PY) -m pytest tests solutions $(PYTEST_NBVAL)
	@PY=$(PY) bash tests/browser/install.sh --status

test-browser: setup ## Drive JupyterLab in headless Chromium through a student's day (installs Chromium if allowed)
	PY=$(PY) bash tests/browser/install.sh
	COURSE_BROWSER_TEST=1 $(PY) -m pytest tests/browser/test_student_day.py -p no:nbval

# `make hub` (docs/hub.md): the course on a JupyterHub, as root; these name the accounts, folders and address.
HUB_ROOT ?= /srv/pytorch-course
HUB_EXCHANGE ?= /srv/nbgrader/exchange
HUB_HOMES ?= /home
HUB_INSTRUCTOR ?= instructor
HUB_STUDENTS ?= student1 student2
HUB_IP ?= 127.0.0.1
HUB_PORT ?= 8000
HUB_ENV = VENV=$(VENV) HUB_ROOT=$(HUB_ROOT) HUB_EXCHANGE=$(HUB_EXCHANGE) HUB_HOMES=$(HUB_HOMES) \
	HUB_INSTRUCTOR="$(HUB_INSTRUCTOR)" HUB_STUDENTS="$(HUB_STUDENTS)" HUB_IP=$(HUB_IP) HUB_PORT=$(HUB_PORT)

hub: setup ## Run a JupyterHub for the course on $(HUB_IP):$(HUB_PORT), as root: accounts, nbgrader's exchange, formgrader (docs/hub.md)
	@test "$$(id -u)" = 0 || { echo "make hub makes system accounts and runs each user's server as that user: run it as root (docs/hub.md)"; exit 1; }
	$(HUB_ENV) $(PY) hub/setup.py
	$(HUB_ENV) HUB_PROXY=$$(bash hub/install-proxy.sh) hub/enter.sh $(BIN)/jupyterhub -f hub/jupyterhub_config.py

test-hub: setup ## Drive a class through make hub's JupyterHub in headless Chromium: release, submit, grade, feedback (as root)
	PY=$(PY) bash tests/browser/install.sh
	bash hub/install-proxy.sh >/dev/null
	COURSE_HUB_TEST=1 $(PY) -m pytest tests/hub -p no:nbval

test-colab: setup ## The course on Colab's stack (Python 3.13, torch 2.11, no nbgrader): the setup cells' install, every notebook (tests/colab/run.sh)
	PY=$(PY) bash tests/colab/run.sh

test-gpu: setup ## The same checks on CUDA (fails clearly without a GPU)
	@$(PY) -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else "make test-gpu needs a CUDA GPU, and PyTorch sees none here (torch.cuda.is_available() is False). Use make test on this machine.")'
	$(TEST_ENV) COURSE_DEVICE=cuda $(PY) -m pytest tests solutions --nbval-lax --nbval-cell-timeout 600

gpu-check: ## Say how to run the one-call GPU check (tests/gpu/check.sh) on a GPU machine
	@echo "On a machine with an NVIDIA GPU:  bash tests/gpu/check.sh OUT_DIR   (logs, JSON and summary.txt in OUT_DIR)"
	@echo "Without the Jupyter stack there (the lent GPU machines): run ../shared/gpu/fetch-wheels.sh here first and"
	@echo "carry .whl; the script installs it. Rehearsal on this CPU (part of make test): bash tests/gpu/check.sh OUT --rehearse"

release: setup ## Regenerate course/ from solutions/ (A=one assignment, default all)
	$(PY) -m grader release $(A)

check-release: setup ## Fail when course/ is not what solutions/ generates
	$(PY) -m grader check-release $(A)

autograde: setup ## Autograde submitted/*/$(A) into the gradebook, in parallel and sandboxed (DEVICE=cpu|cuda|cuda-sim; quick profile unless COURSE_PROFILE says)
	@test -n "$(A)" || { echo "Say which assignment: make autograde A=01-tensors"; exit 2; }
	COURSE_PROFILE=$(or $(COURSE_PROFILE),quick) $(PY) -m grader autograde "$(A)" --json "autograded/$(A).json" $(if $(DEVICE),--device $(DEVICE))

feedback: setup ## Write feedback/ HTML for the autograded $(A), without the hidden tests
	@test -n "$(A)" || { echo "Say which assignment: make feedback A=01-tensors"; exit 2; }
	$(PY) -m grader feedback "$(A)"

export: setup ## Export the gradebook: grades.csv (nbgrader's CSV) and exercises-<assignment>.csv (points per exercise, reasons)
	$(BIN)/nbgrader export
	$(BIN)/nbgrader export --exporter grader.autograde.export.ExerciseExportPlugin

similarity: setup ## Write reports/$(A)/similarity.html: pairs of near-identical answers per exercise (names, comments, line order ignored)
	@test -n "$(A)" || { echo "Say which assignment: make similarity A=01-tensors"; exit 2; }
	$(PY) -m grader similarity "$(A)"

clean: ## Remove grading output and caches (keeps $(VENV), the gradebook and submitted/)
	rm -rf autograded feedback .pytest_cache
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +
