#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs every Swift test, and checks
# the golden files in samples/expected/ against the independent Python oracle.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build
python3 samples/oracle.py --check
