#!/usr/bin/env bash
# setup.sh - Gradescope runs this once, as root, while it builds the
# autograder's image: install the Debian packages the lab needs, then build
# the lab.
#
# The zip make-gradescope.sh builds holds this script and run_autograder at
# its top and the lab's tree under zcl/; Gradescope unpacks it into
# /autograder/source. The package list is the Makefile's DEB_PACKAGES, so
# the two never drift apart.
#
#   ZCL_SKIP_APT=1   do not run apt-get (the packages are already there;
#                    tests/test_packaging.sh uses this)
#   ZCL_LAB=DIR      the lab's tree (default: zcl/ beside this script)
#   ZCL_KEEP_SOLUTIONS=1  keep solutions/ in the image (see below)
#
# The zip is the instructor's and carries the whole lab, solutions/ too,
# but every submission is compiled in this image, and `#include` of a reference
# solution by its absolute path would pass every stage. So once the lab is
# built, a packaged tree (one with the .zcl-packaged mark make-gradescope.sh
# leaves) loses its solutions/. A working copy is never touched.
#
# Exit 0 when ./zcl is built, non-zero (and Gradescope reports a failed
# build) when a package cannot be installed or the lab does not compile.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lab=${ZCL_LAB:-$here/zcl}

if [ ! -f "$lab/Makefile" ]; then
	echo "setup.sh: $lab/Makefile: missing (is the lab under zcl/?)" >&2
	exit 2
fi

# "DEB_PACKAGES := gcc make ..." in the Makefile; the fallback only matters
# if that line is ever renamed.
packages=$(sed -n 's/^DEB_PACKAGES[[:space:]]*:\{0,1\}=[[:space:]]*//p' "$lab/Makefile")
if [ -z "$packages" ]; then
	packages="gcc make pkg-config libseccomp-dev libcriterion-dev libncurses-dev strace tmux zip unzip"
fi

if [ "${ZCL_SKIP_APT:-0}" = 1 ]; then
	echo "setup.sh: ZCL_SKIP_APT=1: not installing: $packages"
else
	echo "setup.sh: installing: $packages"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	# shellcheck disable=SC2086  # one word per package
	apt-get install -y $packages
fi

echo "setup.sh: building the lab in $lab"
# A stale build/ from the instructor's machine never ships (the zip holds
# only files git knows), but a rerun here should start clean too.
make -C "$lab" clean
make -C "$lab" -j"$(nproc 2>/dev/null || echo 2)"
test -x "$lab/zcl"
echo "setup.sh: built $lab/zcl"

if [ -f "$lab/.zcl-packaged" ] && [ "${ZCL_KEEP_SOLUTIONS:-0}" != 1 ]; then
	rm -rf "$lab/solutions"
	echo "setup.sh: removed $lab/solutions (submissions must not be able to #include them)"
fi
