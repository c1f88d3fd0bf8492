#!/usr/bin/env bash
# Type-checks every project: app/lib sources and their specs, with the strict settings.
set -euo pipefail
cd "$(dirname "$0")/../.."
status=0
for tsconfig in apps/*/tsconfig.app.json apps/*/tsconfig.spec.json libs/*/tsconfig.lib.json libs/*/tsconfig.spec.json tools/tsconfig.json bench/tsconfig.json; do
  [[ -f $tsconfig ]] || continue
  if ! npx --no-install tsc --noEmit -p "$tsconfig"; then
    echo "typecheck failed: $tsconfig" >&2
    status=1
  fi
done
exit $status
