#!/bin/sh
# `make chromium`, the first step of `make test`: the headless browser the compliance
# report's HTML test renders its page in (tests/src/browser.rs finds it the same way:
# HUBFIX_CHROMIUM, else `chromium` or `chromium-browser` on PATH).
#
# When it is missing, installs Debian's package if it can (root, and apt-get: CI is a
# fresh Debian machine); otherwise stops at once, before anything is built, with the one
# command that installs it on this machine. tests/integration/makefile.rs runs this
# script against stand-ins for id, apt-get and the other package managers.
set -eu

if [ -n "${HUBFIX_CHROMIUM:-}" ]; then
    if [ -f "$HUBFIX_CHROMIUM" ] && [ -x "$HUBFIX_CHROMIUM" ]; then
        exit 0
    fi
    echo "HUBFIX_CHROMIUM=$HUBFIX_CHROMIUM is not an executable file" >&2
    exit 1
fi

found() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}

if found; then
    exit 0
fi

# The command that installs Chromium with this machine's package manager, as root.
install_command() {
    if command -v apt-get >/dev/null 2>&1; then
        echo "apt-get update && apt-get install -y --no-install-recommends chromium"
    elif command -v dnf >/dev/null 2>&1; then
        echo "dnf install -y chromium"
    elif command -v zypper >/dev/null 2>&1; then
        echo "zypper --non-interactive install chromium"
    elif command -v pacman >/dev/null 2>&1; then
        echo "pacman -S --noconfirm chromium"
    elif command -v apk >/dev/null 2>&1; then
        echo "apk add chromium"
    fi
}

stop() {
    echo "chromium is missing: the compliance report's HTML test renders its page in it." >&2
    echo "$1" >&2
    echo "(or set HUBFIX_CHROMIUM to a Chromium or Chrome binary), then run make test again." >&2
    exit 1
}

root=false
if [ "$(id -u)" = 0 ]; then
    root=true
fi

if $root && command -v apt-get >/dev/null 2>&1; then
    echo "chromium is missing: installing Debian's package" >&2
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
    found || stop "apt-get installed no chromium here: install Chromium another way"
    exit 0
fi

command=$(install_command)
if [ -z "$command" ]; then
    if command -v brew >/dev/null 2>&1; then
        stop "Install it with:  brew install --cask chromium"
    fi
    stop "hubfix does not know this machine's package manager: install Chromium"
fi
if $root; then
    stop "Install it with:  $command"
fi
case "$command" in
    *"&&"*) stop "Install it with:  sudo sh -c '$command'" ;;
    *) stop "Install it with:  sudo $command" ;;
esac
