#!/usr/bin/env bash
# Quick start: installs zlib's headers if missing, builds tokentally (release), and
# summarises the bundled samples/ by day and model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product tokentally
# The samples hold three bad lines on purpose (see samples/README.md).
.build/release/tokentally summarize samples/ --by day,model --max-bad-lines 3 "$@"
