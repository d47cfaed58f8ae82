#!/usr/bin/env bash
# Quick start: installs zlib's headers if missing, builds tokentally (release), and
# summarises the bundled samples/ by day and model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product tokentally
.build/release/tokentally summarize samples/ --by day,model "$@"
