#!/bin/sh
# make-classroom.sh - build build/classroom/, the template repository of a
# GitHub Classroom assignment: the student tree (make-student.sh's tarball,
# checked for solution code) plus .github/workflows/classroom.yml (from
# lab/pack/github-classroom.yml), which grades every stage on each push.
#
# Before writing, it checks that the workflow grades exactly the lab's
# stages (a step and a runner per exercises/NN-slug.c): a stage added to the
# lab and not to the workflow would silently count for nothing.
#
# Push build/classroom/ to a new repository, mark it a template, and make it
# the assignment's starter code (README: GitHub Classroom).
#
# Run from `make classroom`. Exit 0 with build/classroom/ written, 1 on failure.
set -eu

cd "$(dirname "$0")/../.."
out=build/classroom
workflow=lab/pack/github-classroom.yml
top=zero-copy-lab

die() { echo "make-classroom.sh: $*" >&2; exit 1; }

# Every stage of the lab has its step and its runner in the workflow.
runners=""
for f in exercises/[0-9][0-9]-*.c; do
	[ -e "$f" ] || die "no exercises/NN-slug.c here"
	n=$(basename "$f" | sed 's/^0*\([0-9]*\)-.*/\1/')
	grep -q "zcl grade --stage $n --format classroom" "$workflow" || die "$workflow: no step grades stage $n"
	grep -q "STAGE${n}_RESULTS: \"\${{ steps.stage$n.outputs.result }}\"" "$workflow" ||
		die "$workflow: the reporter does not read stage $n"
	runners="${runners:+$runners,}stage$n"
done
grep -q "runners: $runners\$" "$workflow" || die "$workflow: runners is not $runners"

sh lab/pack/make-student.sh >/dev/null || die "make-student.sh failed"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zcl-classroom-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
tar xzf build/zero-copy-lab-student.tar.gz -C "$tmp" || die "cannot unpack the student tarball"
[ -f "$tmp/$top/Makefile" ] || die "the student tarball has no $top/Makefile"
mkdir -p "$tmp/$top/.github/workflows"
cp "$workflow" "$tmp/$top/.github/workflows/classroom.yml"
rm -rf "$out"
mkdir -p build
mv "$tmp/$top" "$out"
echo "make-classroom.sh: wrote $out/ (the student tree, .github/workflows/classroom.yml grades stages ${runners})"
