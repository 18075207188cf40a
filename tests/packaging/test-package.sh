#!/bin/bash
# tst_package: builds the Debian package from this build tree, installs it with apt-get on this machine, runs both
# installed programs from /usr (nothing of the build tree), validates the desktop file and the AppStream metadata,
# removes the package and checks that none of its files is left. Needs root or sudo (install-deps needs them too).
# Usage: test-package.sh BUILD_DIR
set -euo pipefail

build_dir=$(cd "$1" && pwd)
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    sudo -n true 2>/dev/null || fail "installing the package needs root or password-less sudo; run make check as root"
    SUDO="sudo -n"
fi
for tool in cpack dpkg-deb apt-get desktop-file-validate appstreamcli; do
    command -v "$tool" >/dev/null || fail "$tool is missing; run packaging/install-deps.sh"
done
if dpkg-query -W -f='${Status}' mlflow-admin 2>/dev/null | grep -q "install ok installed"; then
    fail "mlflow-admin is already installed on this machine; remove it first (apt-get remove mlflow-admin)"
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    if dpkg-query -W -f='${Status}' mlflow-admin 2>/dev/null | grep -q "install ok installed"; then
        $SUDO apt-get remove -y -qq mlflow-admin >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# 1. Build the package (into our own folder, so parallel runs of the suite cannot meet).
(cd "$build_dir" && cpack -G DEB -B "$work/package" >"$work/cpack.log" 2>&1) || {
    cat "$work/cpack.log" >&2
    fail "cpack could not build the package"
}
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build_dir/CMakeCache.txt")
deb=$(ls "$work/package"/mlflow-admin_"${version}"_*.deb 2>/dev/null | head -1)
[ -f "$deb" ] || fail "no mlflow-admin_${version}_<arch>.deb in $work/package: $(ls "$work/package")"
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
[ "$(dpkg-deb -f "$deb" Package)" = mlflow-admin ] || fail "the package is not named mlflow-admin"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "the package version is not the project's $version"
depends=$(dpkg-deb -f "$deb" Depends)
for needed in libqt6sql6-sqlite libqt6svg6 libsecret-1-0 libqt6widgets6 libqt6network6 libqt6keychain1 libssl3; do
    grep -q "$needed" <<<"$depends" || fail "Depends lacks $needed: $depends"
done
dpkg-deb -f "$deb" Recommends | grep -q gnome-keyring || fail "Recommends names no keyring"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' | grep -v '/$' >"$work/files"
for expected in /usr/bin/mlflow-admin /usr/bin/mlflow-admin-cli \
    /usr/share/applications/io.github.mlflowadmin.MlflowAdmin.desktop \
    /usr/share/metainfo/io.github.mlflowadmin.MlflowAdmin.metainfo.xml \
    /usr/share/icons/hicolor/scalable/apps/io.github.mlflowadmin.MlflowAdmin.svg \
    /usr/share/icons/hicolor/48x48/apps/io.github.mlflowadmin.MlflowAdmin.png \
    /usr/share/icons/hicolor/256x256/apps/io.github.mlflowadmin.MlflowAdmin.png \
    /usr/share/man/man1/mlflow-admin.1.gz /usr/share/man/man1/mlflow-admin-cli.1.gz \
    /usr/share/bash-completion/completions/mlflow-admin-cli \
    /usr/share/doc/mlflow-admin/copyright /usr/share/doc/mlflow-admin/changelog.gz; do
    grep -qx "$expected" "$work/files" || fail "the package lacks $expected"
done
if grep -v '^/usr/' "$work/files"; then
    fail "the package installs files outside /usr"
fi

# 2. Validate the desktop integration files as shipped.
mkdir "$work/unpacked"
dpkg-deb -x "$deb" "$work/unpacked"
desktop-file-validate "$work/unpacked/usr/share/applications/io.github.mlflowadmin.MlflowAdmin.desktop" ||
    fail "desktop-file-validate rejects the desktop file"
appstreamcli validate --no-net "$work/unpacked/usr/share/metainfo/io.github.mlflowadmin.MlflowAdmin.metainfo.xml" ||
    fail "appstreamcli rejects the AppStream metadata"
grep -q "release version=\"$version\"" "$work/unpacked/usr/share/metainfo/io.github.mlflowadmin.MlflowAdmin.metainfo.xml" ||
    fail "the AppStream metadata does not name release $version"
if strings "$work/unpacked/usr/bin/mlflow-admin" "$work/unpacked/usr/bin/mlflow-admin-cli" | grep -qF "$build_dir"; then
    fail "an installed program names a path of the build tree ($build_dir)"
fi
bash -n "$work/unpacked/usr/share/bash-completion/completions/mlflow-admin-cli" || fail "the bash completion does not parse"
zcat "$work/unpacked/usr/share/man/man1/mlflow-admin-cli.1.gz" | grep -q '^\.TH MLFLOW-ADMIN-CLI 1' ||
    fail "the CLI's man page has no title"

# 3. Install it as an admin would.
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >"$work/apt.log" 2>&1 || {
    cat "$work/apt.log" >&2
    fail "apt-get install ./$(basename "$deb") failed"
}

# 4. Run the installed programs, with a home of their own and nothing of the build tree on any path.
export HOME="$work/home" XDG_RUNTIME_DIR="$work/runtime" QT_QPA_PLATFORM=offscreen DBUS_SESSION_BUS_ADDRESS=disabled:
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
cd "$work"
/usr/bin/mlflow-admin --version | grep -qx "mlflow-admin $version (Qt .*)" || fail "mlflow-admin --version: $(/usr/bin/mlflow-admin --version)"
/usr/bin/mlflow-admin-cli --version | grep -q "$version" || fail "mlflow-admin-cli --version: $(/usr/bin/mlflow-admin-cli --version)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/bin/mlflow-admin-cli serve --demo --port "$port" --data-dir "$work/data" >"$work/serve.log" 2>&1 &
server_pid=$!
probed=0
for _ in $(seq 60); do
    if MLFLOW_TRACKING_URI="http://127.0.0.1:$port" MLFLOW_TRACKING_USERNAME=admin \
        MLFLOW_TRACKING_PASSWORD=password1234 /usr/bin/mlflow-admin-cli probe --json >"$work/probe.json" \
        2>"$work/probe.err"; then
        probed=1
        break
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.5
done
if [ "$probed" -ne 1 ]; then
    cat "$work/serve.log" "$work/probe.err" >&2
    fail "the installed CLI's probe of its own demo server failed"
fi
grep -q '"is_admin": true' "$work/probe.json" || fail "probe did not sign in as the admin: $(cat "$work/probe.json")"
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
timeout 120 /usr/bin/mlflow-admin --demo --screenshot "$work/shots" >"$work/gui.log" 2>&1 || {
    cat "$work/gui.log" >&2
    fail "the installed console's --demo --screenshot failed"
}
shots=$(ls "$work/shots"/*.png 2>/dev/null | wc -l)
[ "$shots" -ge 3 ] || fail "the installed console wrote $shots screenshots"
echo "installed programs ran: --version, serve --demo answered a probe, $shots screenshots"

# 5. Remove it: nothing of the package may stay in /usr.
$SUDO apt-get remove -y -qq mlflow-admin >"$work/remove.log" 2>&1 || {
    cat "$work/remove.log" >&2
    fail "apt-get remove mlflow-admin failed"
}
left=0
while read -r file; do
    if [ -e "$file" ]; then
        echo "left behind: $file" >&2
        left=1
    fi
done <"$work/files"
[ "$left" -eq 0 ] || fail "files of the package are still in /usr after apt-get remove"
echo "PASS: package built, validated, installed, run and removed cleanly"
