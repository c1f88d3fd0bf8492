#!/usr/bin/env bash
# Makes Debian's Chromium available for the browser test (never a browser download).
# Idempotent: a fast no-op when /usr/bin/chromium exists. Needs root (or sudo) to install.
# Prints the browser's path on stdout; apt's output goes to stderr.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [[ -x $CHROMIUM ]]; then
  echo "$CHROMIUM"
  exit 0
fi
run() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
echo "Installing Debian's chromium (apt) for the browser test ..." >&2
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq >&2
# fonts-liberation is only a Recommends of chromium; without any font, pages render as boxes.
run apt-get install -y -qq --no-install-recommends chromium fonts-liberation >&2
if [[ ! -x $CHROMIUM ]]; then
  echo "chromium was installed but $CHROMIUM is missing" >&2
  exit 1
fi
echo "$CHROMIUM"
