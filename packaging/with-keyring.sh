#!/bin/bash
# Runs a command with an unlocked gnome-keyring providing the Secret Service, for QtKeychain tests on headless
# machines. Use inside a private bus: dbus-run-session -- packaging/with-keyring.sh <command...>
set -euo pipefail
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d /tmp/xdg-runtime-XXXXXX)}"
chmod 700 "$XDG_RUNTIME_DIR"
export XDG_DATA_HOME="${XDG_DATA_HOME:-$(mktemp -d /tmp/xdg-data-XXXXXX)}"
# A throw-away keyring: any non-empty password creates and unlocks the 'login' collection (an empty one does not).
eval "$(echo 'ci-keyring' | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
for _ in $(seq 50); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
        break
    fi
    sleep 0.1
done
exec "$@"
