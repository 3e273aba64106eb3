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
# nginx is for the tests, not a service: while apt installs, a policy-rc.d
# that answers 101 ("action forbidden", invoke-rc.d(8)) keeps it from
# starting one, unless the machine already has its own policy.
policy=/usr/sbin/policy-rc.d
ours=0
if [ ! -e $policy ]; then
	printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy && ours=1
fi
apt-get update -qq && apt-get install -y -qq$missing >/dev/null
rc=$?
[ $ours = 1 ] && rm -f $policy
[ $rc = 0 ] || {
	echo "deps: apt-get install failed:$missing" >&2
	exit 2
}
