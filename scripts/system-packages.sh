#!/bin/sh
# Install the Debian packages the tests need when they are missing.
# Usage: scripts/system-packages.sh PATH=PACKAGE ...   (e.g. /usr/bin/chromium=chromium)
set -eu
missing=""
for pair in "$@"; do
    path=${pair%%=*}
    pkg=${pair#*=}
    [ -e "$path" ] || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "error: missing system packages:$missing" >&2
    echo "Install them (sudo apt-get install$missing) or run 'make test' as root." >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing system packages:$missing and no apt-get to install them" >&2
    exit 1
fi
echo "installing system packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
