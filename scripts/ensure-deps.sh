#!/usr/bin/env bash
# Installs what building and testing tokentally needs, when it is missing:
# zlib's headers (Debian/Ubuntu: zlib1g-dev, also known as libz-dev) and python3
# (the golden-file oracle). Uses sudo when not run as root.
set -euo pipefail

missing=()
if ! { [ -f /usr/include/zlib.h ] && command -v pkg-config >/dev/null && pkg-config --exists zlib; }; then
  missing+=(zlib1g-dev pkg-config)
fi
command -v python3 >/dev/null || missing+=(python3)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "ensure-deps: please install: ${missing[*]} (no apt-get here)" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "ensure-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
