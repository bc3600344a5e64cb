#!/usr/bin/env bash
# Debian's Chromium and the fonts the pages are screenshotted with, for the browser tests
# (tests/web/browser). Idempotent: does nothing when they are there. Playwright drives this
# Chromium (executable_path); its own browser download is never used. Needs root (CI runs as root).
set -euo pipefail

packages=(chromium fonts-dejavu-core fonts-liberation)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-browser: run as root to install ${missing[*]} (the browser tests are skipped without them)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-browser: installed ${missing[*]}: $(/usr/bin/chromium --version)"
