#!/usr/bin/env bash
# Makes Debian's Chromium available for the browser test (never a browser download).
# Idempotent: a no-op when /usr/bin/chromium exists. Needs root (or sudo) to install.
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then
  echo /usr/bin/chromium
  exit 0
fi
run() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
echo "Installing Debian's chromium (apt) for the browser test ..." >&2
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq >&2
run apt-get install -y -qq --no-install-recommends chromium fonts-liberation >&2
echo /usr/bin/chromium
