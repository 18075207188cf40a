#!/bin/bash
# AppImage for Linux distributions other than Debian 12 (not tried here: this machine cannot download linuxdeploy).
# Needs linuxdeploy and linuxdeploy-plugin-qt (https://github.com/linuxdeploy) on PATH, and Qt 6 with qmake6.
# Usage: packaging/appimage/build-appimage.sh [BUILD_DIR]  ->  MLflow_Admin-<version>-x86_64.AppImage
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-appimage}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMLFLOW_ADMIN_BUILD_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr
cmake --build "$build"
rm -rf "$build/AppDir"
DESTDIR="$PWD/$build/AppDir" cmake --install "$build"
export QMAKE=${QMAKE:-qmake6}
# The SQLite driver and the SVG plugins are loaded by name: name them, as the .deb's Depends does.
export EXTRA_QT_PLUGINS="sqldrivers;iconengines;imageformats;tls"
linuxdeploy --appdir "$build/AppDir" --plugin qt --output appimage \
    --desktop-file "$build/AppDir/usr/share/applications/io.github.mlflowadmin.MlflowAdmin.desktop" \
    --icon-file "$build/AppDir/usr/share/icons/hicolor/256x256/apps/io.github.mlflowadmin.MlflowAdmin.png" \
    --executable "$build/AppDir/usr/bin/mlflow-admin" --executable "$build/AppDir/usr/bin/mlflow-admin-cli"
