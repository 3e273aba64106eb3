#!/bin/sh
# deps.sh - make sure the Debian packages the lab needs are installed.
# As root it installs the missing ones with apt-get; otherwise it prints the
# one command to run and fails. --quiet: say nothing when all is there.
quiet=0
[ "$1" = "--quiet" ] && { quiet=1; shift; }
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	[ $quiet = 1 ] || echo "deps: all installed:$*" | sed 's/:/: /'
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing:$missing (install them with your package manager)" >&2
	exit 2
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing:$missing" >&2
	echo "deps: run: sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 2
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq$missing >/dev/null || {
	echo "deps: apt-get install failed:$missing" >&2
	exit 2
}
