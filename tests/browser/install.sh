#!/usr/bin/env bash
# Installs what the browser test (tests/browser, `make test-browser`) needs, only what is missing:
#   - Debian's Chromium at /usr/bin/chromium, with apt-get (needs root);
#   - the pinned Python packages of requirements-browser.txt (Playwright) into the course's virtual environment.
# Playwright drives that Chromium; it never downloads a browser.
#
#   tests/browser/install.sh           install, or fail with the reason when this machine cannot
#   tests/browser/install.sh --status  print one line saying whether the browser test can run here (make test)
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
CHROMIUM=${COURSE_CHROMIUM:-/usr/bin/chromium}

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

if [ "${1:-}" = "--status" ]; then
  if [ -x "$CHROMIUM" ]; then
    echo "Browser test: not part of make test; run make test-browser (it uses the Chromium at $CHROMIUM)."
  elif can_apt; then
    echo "Browser test: not part of make test; run make test-browser (it installs Chromium with apt-get first)."
  else
    echo "SKIPPED: the browser test did not run. There is no Chromium at $CHROMIUM and this machine cannot install" \
         "one (that needs root and apt-get). Everything above ran; make test-browser runs it where Chromium can be installed."
  fi
  exit 0
fi

if [ ! -x "$CHROMIUM" ]; then
  if ! can_apt; then
    echo "The browser test needs Chromium at $CHROMIUM, and this machine cannot install it (that needs root and apt-get)." >&2
    echo "Install Debian's chromium package (or set COURSE_CHROMIUM=/path/to/chromium), then run make test-browser again." >&2
    exit 1
  fi
  echo "Installing Chromium with apt-get (once)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
"$CHROMIUM" --version 2>/dev/null | head -1

"$PY" -m pip install --quiet --disable-pip-version-check -r requirements-browser.txt
