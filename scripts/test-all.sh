#!/usr/bin/env bash
# The whole test suite from a fresh clone: system packages (Debian/Ubuntu), npm ci, then `npm test` inside a
# D-Bus session with an unlocked gnome-keyring so the keychain tests run against a real Secret Service.
set -euo pipefail
cd "$(dirname "$0")/.."
export ELECTRON_SKIP_BINARY_DOWNLOAD=1

need=(libsecret-1-dev chromium gnome-keyring dbus dbus-x11)
if command -v dpkg >/dev/null 2>&1; then
  missing=()
  for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "Missing system packages: ${missing[*]}" >&2
      echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
  # A keyring of its own (a fresh XDG_DATA_HOME), unlocked with a known password: a login keyring left on the
  # machine with another password would stay locked and the keychain tests could not run for real.
  keyring_home=$(mktemp -d)
  trap 'rm -rf "$keyring_home"' EXIT
  export VIEWZENIX_REQUIRE_KEYCHAIN=1
  XDG_DATA_HOME="$keyring_home" dbus-run-session -- sh -c 'echo -n test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; npm test'
  exit $?
fi
echo "No D-Bus/gnome-keyring here: keychain tests will report themselves skipped." >&2
exec npm test
