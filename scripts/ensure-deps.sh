#!/usr/bin/env bash
# Installs what building and testing tokentally needs, when it is missing:
# zlib's headers (Debian/Ubuntu: zlib1g-dev, also known as libz-dev) and python3
# (the golden-file oracle), the time zone files (tzdata), and script(1) and flock(1) for the
# tests. Uses sudo when not run as root.
#
# Also installs Intel ISA-L (libisal-dev, which brings libisal2) when it is missing, so the
# test suite checks both inflate backends. ISA-L is optional: where it cannot be installed
# the build still succeeds, tokentally inflates with zlib, and the ISA-L test cases are
# reported as cancelled with the reason.
#
# And Python's duckdb (pip), which the tests use to read a partitioned dataset
# (--partition-by) back as one table; optional too: without it that check is cancelled.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
if ! { [ -f /usr/include/zlib.h ] && command -v pkg-config >/dev/null && pkg-config --exists zlib; }; then
  missing+=(zlib1g-dev pkg-config)
fi
command -v python3 >/dev/null || missing+=(python3)
# Zone files for --tz (and its tests); the base image may leave them out.
[ -f /usr/share/zoneinfo/America/New_York ] || [ -n "${TZDIR:-}" ] || missing+=(tzdata)
# The tests run tokentally under a pseudo-terminal with script(1) (the progress line) and hold
# a state lock from another process with flock(1); both are util-linux, usually present.
command -v script >/dev/null || missing+=(bsdutils)
command -v flock >/dev/null || missing+=(util-linux)

optional=()
isal_headers=/usr/include/isa-l/igzip_lib.h
if [ -z "${TOKENTALLY_SKIP_ISAL:-}" ] && ! { [ -f "$isal_headers" ] && ldconfig -p 2>/dev/null | grep -q 'libisal\.so\.2'; }; then
  optional+=(libisal-dev)
fi

# Debian/Ubuntu packages: required ones (missing) fail the script, optional ones do not.
install_packages() {
  [ ${#missing[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ] && return 0

  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if ! command -v apt-get >/dev/null; then
    if [ ${#missing[@]} -gt 0 ]; then
      echo "ensure-deps: please install: ${missing[*]} (no apt-get here)" >&2
      exit 1
    fi
    echo "ensure-deps: ISA-L (libisal) not found and no apt-get here: tokentally will inflate with zlib" >&2
    return 0
  fi

  # An index that cannot be refreshed only matters for what is required.
  if ! $sudo apt-get update -qq && [ ${#missing[@]} -gt 0 ]; then
    echo "ensure-deps: apt-get update failed; cannot install ${missing[*]}" >&2
    exit 1
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "ensure-deps: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if [ ${#optional[@]} -gt 0 ]; then
    echo "ensure-deps: installing ${optional[*]} (optional: the ISA-L inflate backend)" >&2
    if DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${optional[@]}" >/dev/null; then
      # SwiftPM does not notice a header that appeared: make it compile the ISA-L shim again.
      touch Sources/CIsal/isal_shim.c
    else
      echo "ensure-deps: could not install ${optional[*]}: tokentally will inflate with zlib" >&2
    fi
  fi
}
install_packages

# Python's duckdb for the DuckDB checks (Tests/Oracles/check-hive-dataset.py, duckdb_types.py).
# A system Python refuses pip installs without --break-system-packages (PEP 668).
if [ -z "${TOKENTALLY_SKIP_DUCKDB:-}" ] && command -v python3 >/dev/null && ! python3 -c 'import duckdb' 2>/dev/null; then
  echo "ensure-deps: installing Python's duckdb (optional: the DuckDB checks of output types and partitioned datasets)" >&2
  if ! python3 -m pip --version >/dev/null 2>&1 && command -v apt-get >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-pip >/dev/null 2>&1 || true
  fi
  python3 -m pip install -q duckdb >/dev/null 2>&1 \
    || python3 -m pip install -q --break-system-packages duckdb >/dev/null 2>&1 \
    || echo "ensure-deps: could not install duckdb: the DuckDB checks are skipped" >&2
fi
