#!/usr/bin/env bash
# Installs the Chromium the site tests drive (Debian's chromium package, and CJK fonts for readable screenshots).
# Run by `npm test` (pretest) and .ci/run; no browser is ever downloaded from a browser CDN.
set -euo pipefail
browser="${ZHENGCE_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  exit 0
fi
if [ -n "${ZHENGCE_CHROMIUM:-}" ]; then
  echo "setup-browser: ZHENGCE_CHROMIUM=$ZHENGCE_CHROMIUM is not an executable browser" >&2
  exit 1
fi
if ! command -v apt-get > /dev/null; then
  echo "setup-browser: no $browser and no apt-get; install Chromium and set ZHENGCE_CHROMIUM to its path" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo > /dev/null; then
    echo "setup-browser: installing chromium needs root: run 'apt-get install chromium fonts-noto-cjk' as root, or set ZHENGCE_CHROMIUM" >&2
    exit 1
  fi
  sudo="sudo"
fi
echo "setup-browser: installing chromium (Debian package) for the site tests" >&2
# Ubuntu's chromium is a snap stub: there, install it another way and set ZHENGCE_CHROMIUM.
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk > /dev/null
[ -x "$browser" ] || { echo "setup-browser: apt-get installed chromium but $browser is missing" >&2; exit 1; }
