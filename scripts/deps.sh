#!/bin/sh
# Installs the Debian packages given as arguments when some are missing:
# with apt-get when running as root, otherwise prints the command to run.
# With --optional first, a package that cannot be installed is reported and
# skipped (the tests that need it say they are skipped).
optional=0
if [ "$1" = "--optional" ]; then
    optional=1
    shift
fi
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ $optional -eq 1 ]; then
    if [ "$(id -u)" -ne 0 ] || ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends $missing >/dev/null; }; then
        echo "optional packages not installed:$missing (the tests that need them are skipped)" >&2
    fi
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "dval needs these Debian packages:$missing" >&2
    echo "run as root:  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi
echo "installing:$missing" >&2
apt-get update -qq || exit 1
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing || exit 1
