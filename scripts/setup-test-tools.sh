#!/usr/bin/env bash
# Installs what the tests drive besides Node: Debian's chromium (and CJK fonts for readable screenshots) for the
# site tests, and LibreOffice Calc without a GUI (libreoffice-calc-nogui) for the spreadsheet round trip.
# Run by `npm test` (pretest) and .ci/run; no browser is ever downloaded from a browser CDN.
set -euo pipefail
browser="${ZHENGCE_CHROMIUM:-/usr/bin/chromium}"
soffice="${ZHENGCE_SOFFICE:-/usr/bin/soffice}"
if [ -n "${ZHENGCE_CHROMIUM:-}" ] && [ ! -x "$browser" ]; then
  echo "setup-test-tools: ZHENGCE_CHROMIUM=$ZHENGCE_CHROMIUM is not an executable browser" >&2
  exit 1
fi
if [ -n "${ZHENGCE_SOFFICE:-}" ] && [ ! -x "$soffice" ]; then
  echo "setup-test-tools: ZHENGCE_SOFFICE=$ZHENGCE_SOFFICE is not an executable LibreOffice" >&2
  exit 1
fi
packages=()
[ -x "$browser" ] || packages+=(chromium fonts-noto-cjk)
[ -x "$soffice" ] || packages+=(libreoffice-calc-nogui)
if [ "${#packages[@]}" -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get > /dev/null; then
  echo "setup-test-tools: no apt-get to install ${packages[*]}; install Chromium and LibreOffice Calc and set ZHENGCE_CHROMIUM and ZHENGCE_SOFFICE to their paths" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo > /dev/null; then
    echo "setup-test-tools: installing ${packages[*]} needs root: run 'apt-get install ${packages[*]}' as root, or set ZHENGCE_CHROMIUM and ZHENGCE_SOFFICE" >&2
    exit 1
  fi
  sudo="sudo"
fi
echo "setup-test-tools: installing ${packages[*]} (Debian packages) for the tests" >&2
# Ubuntu's chromium is a snap stub: there, install it another way and set ZHENGCE_CHROMIUM.
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" > /dev/null
[ -x "$browser" ] || { echo "setup-test-tools: apt-get installed chromium but $browser is missing" >&2; exit 1; }
[ -x "$soffice" ] || { echo "setup-test-tools: apt-get installed libreoffice-calc-nogui but $soffice is missing" >&2; exit 1; }
