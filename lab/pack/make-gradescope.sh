#!/bin/sh
# make-gradescope.sh - build build/gradescope-autograder.zip, the file an
# instructor uploads as a Gradescope programming assignment's autograder.
#
# Gradescope unpacks the zip into /autograder/source, runs setup.sh once to
# build its image, then run_autograder once per submission. So the zip holds:
#   setup.sh, run_autograder   at the top, executable (from lab/pack/)
#   zcl/                       the lab: the files git knows, nothing built
# The tree comes from `git ls-files`, so build/, ./zcl and untracked files
# stay out; ZCL_PACK_UNTRACKED=1 takes untracked files too (not the ones
# .gitignore names), for packing a tree before its new files are committed.
# The zip is the instructor's: it includes solutions/, which setup.sh
# removes from the image once the lab is built.
#
# Run from `make gradescope`. Exit 0 with the zip written, 1 on failure.
set -eu

cd "$(dirname "$0")/../.."
out=build/gradescope-autograder.zip

die() { echo "make-gradescope.sh: $*" >&2; exit 1; }

command -v git >/dev/null 2>&1 || die "git is needed (the zip holds the files git knows)"
command -v zip >/dev/null 2>&1 || die "zip is needed: apt-get install zip"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || die "$(pwd) is not a git work tree"
for f in lab/pack/setup.sh lab/pack/run_autograder; do
	[ -f "$f" ] || die "$f: missing"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zcl-gradescope-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# The files to pack (files.sh).
. lab/pack/files.sh # (we are at the top of the tree)
pack_files "$tmp/files" make-gradescope.sh
grep -qx Makefile "$tmp/files" || die "Makefile is not among the files git knows"

mkdir "$tmp/zip" "$tmp/zip/zcl"
tar cf - --no-recursion -T "$tmp/files" | tar xpf - -C "$tmp/zip/zcl"
echo "packaged by lab/pack/make-gradescope.sh from $(git rev-parse --short HEAD 2>/dev/null || echo 'no commit')" \
	>"$tmp/zip/zcl/.zcl-packaged"
cp lab/pack/setup.sh lab/pack/run_autograder "$tmp/zip/"
# ZCL_GS_VISIBILITY=hidden make gradescope: the tests' visibility, kept in
# the zip (run_autograder reads source/zcl-visibility)
if [ -n "${ZCL_GS_VISIBILITY:-}" ]; then
	case $ZCL_GS_VISIBILITY in
	visible | hidden | after_due_date | after_published) ;;
	*) die "ZCL_GS_VISIBILITY: visible, hidden, after_due_date or after_published, not $ZCL_GS_VISIBILITY" ;;
	esac
	echo "$ZCL_GS_VISIBILITY" >"$tmp/zip/zcl-visibility"
fi
chmod 755 "$tmp/zip/setup.sh" "$tmp/zip/run_autograder"

# Same tree, same zip: fixed times (the last commit's), sorted names, no
# owner fields.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 315532800)}
find "$tmp/zip" -exec touch -h -d "@$epoch" {} +

mkdir -p build
rm -f "$out" "$out.tmp"
dest=$(pwd)/$out.tmp
(cd "$tmp/zip" && find setup.sh run_autograder zcl zcl-visibility 2>/dev/null | LC_ALL=C sort | zip -X -q "$dest" -@) ||
	die "zip failed"
mv "$out.tmp" "$out"

# The layout Gradescope needs, read back from the zip itself.
listing=$(unzip -Z1 "$out")
for need in setup.sh run_autograder zcl/Makefile zcl/lab/main.c zcl/exercises/zcl.h; do
	printf '%s\n' "$listing" | grep -qx "$need" || die "$out: $need missing"
done

echo "wrote $out ($(wc -c <"$out") bytes, $(wc -l <"$tmp/files") lab files under zcl/)"
echo "upload it on Gradescope: assignment > Configure Autograder > Zip file upload"
