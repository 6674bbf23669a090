#!/usr/bin/env bash
# One-time machine setup for HV Manager on Debian with Node 20: system packages the
# build and tests use, then the npm dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v gcc >/dev/null || need_apt+=(gcc)
command -v ld >/dev/null || need_apt+=(binutils)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v qemu-system-x86_64 >/dev/null || need_apt+=(qemu-system-x86)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  echo "setup: installing ${need_apt[*]} with apt-get"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

# Electron's binary cannot always be downloaded (closed networks, CI); the app then runs as
# `hv-manager serve` in a browser. On a normal machine `npm start` downloads nothing more.
export ELECTRON_SKIP_BINARY_DOWNLOAD=${ELECTRON_SKIP_BINARY_DOWNLOAD:-1}
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
npm run build
