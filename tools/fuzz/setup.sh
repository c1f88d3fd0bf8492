#!/usr/bin/env bash
# A virtualenv with a pinned schemathesis for the API fuzzing test, in .local/fuzz-venv.
# Idempotent: a no-op when the pinned version is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=4.32.5
venv=.local/fuzz-venv
if [[ -x $venv/bin/st ]] && [[ "$($venv/bin/python -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null)" == "$version" ]]; then
  echo "$venv/bin/st"
  exit 0
fi
echo "Installing schemathesis $version into $venv ..." >&2
python3 -m venv "$venv" >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version" >&2
echo "$venv/bin/st"
