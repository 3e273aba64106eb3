#!/bin/sh
# make-autolab.sh - build build/autolab/autograde.tar and
# build/autolab/autograde-Makefile, the two files an Autolab assessment's
# autograder needs (Tango copies them and the handin into a VM and runs
# make there).
#
# autograde.tar holds zcl/: the files git knows (ZCL_PACK_UNTRACKED=1 for
# untracked ones too), without solutions/ (the VM runs student code; it
# has nothing to find there) and nothing built: the VM builds the lab.
#
# Run from `make autolab`. Exit 0 with both files written, 1 on failure.
set -eu

cd "$(dirname "$0")/../.."
out=build/autolab

die() { echo "make-autolab.sh: $*" >&2; exit 1; }
command -v git >/dev/null 2>&1 || die "git is needed (the tar holds the files git knows)"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || die "$(pwd) is not a git work tree"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zcl-autolab-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

. lab/pack/files.sh
pack_files "$tmp/files" make-autolab.sh
grep -v '^solutions/' "$tmp/files" >"$tmp/files.nosol"
mkdir "$tmp/zcl"
tar cf - --no-recursion -T "$tmp/files.nosol" | tar xpf - -C "$tmp/zcl"

epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 315532800)}
mkdir -p "$out"
(cd "$tmp" && find zcl | LC_ALL=C sort |
	tar cf - --no-recursion --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -T -) >"$out/autograde.tar.tmp" ||
	die "tar failed"
mv "$out/autograde.tar.tmp" "$out/autograde.tar"
cp lab/pack/autograde-Makefile "$out/autograde-Makefile"
tar tf "$out/autograde.tar" | grep -q '^zcl/lab/pack/autolab-grade.sh$' || die "the tar lacks the grading script"
if tar tf "$out/autograde.tar" | grep -q '^zcl/solutions/.'; then
	die "the tar holds solutions/"
fi
echo "make-autolab.sh: wrote $out/autograde.tar and $out/autograde-Makefile"
