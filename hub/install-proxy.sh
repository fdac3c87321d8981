#!/usr/bin/env bash
# Installs JupyterHub's proxy, configurable-http-proxy, from the npm registry into .cache/hub (git-ignored), at the
# versions hub/package-lock.json pins, once. Prints the proxy's path. Needs Node.js 20 or newer and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=.cache/hub
PROXY=$CACHE/node_modules/.bin/configurable-http-proxy
if [ ! -x "$PROXY" ] || ! cmp -s hub/package-lock.json "$CACHE/package-lock.json"; then
  command -v npm >/dev/null || { echo "make hub needs npm (Node.js 20 or newer) for JupyterHub's proxy: apt-get install nodejs npm" >&2; exit 1; }
  mkdir -p "$CACHE"
  cp hub/package.json hub/package-lock.json "$CACHE/"
  npm ci --prefix "$CACHE" --no-audit --no-fund --loglevel=error >&2
fi
echo "$(pwd -P)/$PROXY"
