#!/usr/bin/env bash
# Installs Debian's chromium when it is missing: the conformance tests open the HTML report in it, headless.
# Idempotent; progress goes to stderr.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "chromium.sh: Chromium is missing and this is not root: install Debian's chromium package." >&2; exit 1; }
  sudo=(sudo)
fi
command -v apt-get >/dev/null 2>&1 || { echo "chromium.sh: Chromium is missing and apt-get is not available: install Chromium (/usr/bin/chromium) yourself." >&2; exit 1; }
echo "chromium.sh: installing Debian's chromium with apt (once per machine)" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >&2
"${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >&2
