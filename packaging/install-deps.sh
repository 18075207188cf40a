#!/bin/bash
# Installs the Debian 12 packages mlflow-admin needs to build, test and benchmark.
# Idempotent: when every package is already present it only runs dpkg-query and exits.
set -euo pipefail

PACKAGES=(
    cmake ninja-build g++ make dpkg-dev file
    qt6-base-dev qt6-base-dev-tools qtkeychain-qt6-dev
    libqt6sql6-sqlite qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev libqt6svg6
    libqt6sql6-psql postgresql-15 libqt6sql6-mysql mariadb-server
    libssl-dev libsqlite3-dev libsecret-1-0 fonts-dejavu-core
    xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools
    wrk jq time clang-format python3 desktop-file-utils appstream poppler-utils
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

echo "Installing build dependencies: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
