#!/usr/bin/env bash
# Installs what building and testing tokentally needs, when it is missing:
# zlib's headers (Debian/Ubuntu: zlib1g-dev, also known as libz-dev) and python3
# (the golden-file oracle), the time zone files (tzdata), and script(1) and flock(1) for the
# tests. Uses sudo when not run as root. Also DuckDB's Python package (pip), for the
# DuckDB type test (TOKENTALLY_SKIP_DUCKDB=1 leaves it out; the test is then skipped).
#
# Also installs Intel ISA-L (libisal-dev, which brings libisal2) when it is missing, so the
# test suite checks both inflate backends. ISA-L is optional: where it cannot be installed
# the build still succeeds, tokentally inflates with zlib, and the ISA-L test cases are
# reported as cancelled with the reason.
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

# DuckDB's Python package, for the test that loads every output format in DuckDB and checks
# the types it infers (Tests/Oracles/duckdb_types.py). Optional: without it that test is
# skipped with the reason. Installed after the apt packages (it needs python3 and pip).
ensure_duckdb() {
  python3 -c "import duckdb" 2>/dev/null && return 0
  [ -n "${TOKENTALLY_SKIP_DUCKDB:-}" ] && return 0
  if ! python3 -m pip --version >/dev/null 2>&1 && command -v apt-get >/dev/null; then
    # Debian's python3 comes without pip.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-pip >/dev/null 2>&1 \
      || { $sudo apt-get update -qq >/dev/null 2>&1 \
           && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-pip >/dev/null 2>&1; } || true
  fi
  echo "ensure-deps: installing duckdb with pip (optional: the DuckDB type test)" >&2
  # Debian 12's pip refuses to install into the system python (PEP 668) unless told to.
  python3 -m pip install --quiet --disable-pip-version-check duckdb 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages duckdb 2>/dev/null \
    || echo "ensure-deps: could not install duckdb: the DuckDB type test will be skipped" >&2
}

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ]; then
  ensure_duckdb
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  if [ ${#missing[@]} -gt 0 ]; then
    echo "ensure-deps: please install: ${missing[*]} (no apt-get here)" >&2
    exit 1
  fi
  echo "ensure-deps: ISA-L (libisal) not found and no apt-get here: tokentally will inflate with zlib" >&2
  ensure_duckdb
  exit 0
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
ensure_duckdb
