#!/usr/bin/env bash
# Run a command (the hub, or the hub's test) in a mount namespace of its own, where the course's .venv is bound
# read-only at $HUB_ROOT/venv: the users' environment (hub/setup.py) reads its packages there. Nothing is mounted on
# the machine itself and no permission of the checkout is loosened; the bind ends with the command.
#   hub/enter.sh COMMAND [ARGS...]     (as root; VENV and HUB_ROOT as `make hub` sets them)
set -euo pipefail
VENV=$(cd "${VENV:-.venv}" && pwd -P)
HUB_ROOT=${HUB_ROOT:-/srv/pytorch-course}
if [ "${1:-}" = "--inside" ]; then
  shift
  mount --bind "$VENV" "$HUB_ROOT/venv"
  mount -o remount,bind,ro "$HUB_ROOT/venv"
  exec "$@"
fi
[ "$(id -u)" = 0 ] || { echo "hub/enter.sh: run as root (make hub)" >&2; exit 1; }
[ -d "$HUB_ROOT/env" ] || { echo "hub/enter.sh: no users' environment in $HUB_ROOT/env: run hub/setup.py first (make hub does)" >&2; exit 1; }
exec unshare --mount --propagation private -- env VENV="$VENV" HUB_ROOT="$HUB_ROOT" bash "$0" --inside "$@"
