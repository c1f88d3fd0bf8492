#!/usr/bin/env bash
# Builds tools/ferretdb/bin/ferretdb (FerretDB v1.24.2, pinned in go.mod) when it is missing
# or older than its sources. Needs Go and the Go module proxy the first time.
set -euo pipefail
cd "$(dirname "$0")"
bin=bin/ferretdb
if [[ -x $bin && $bin -nt go.sum && $bin -nt main.go ]]; then
  exit 0
fi
command -v go >/dev/null || { echo "Go is required to build FerretDB (https://go.dev/dl/)" >&2; exit 1; }
echo "Building FerretDB v1.24.2 into tools/ferretdb/$bin ..." >&2
go build -trimpath -o "$bin" .
