#!/bin/sh
# make-student.sh - build build/zero-copy-lab-student.tar.gz, the lab as a
# student gets it: every file git knows under zero-copy-lab/, minus what
# would give the answers away.
#
# Left out:
#   solutions/            the reference solutions
#   lab/pack/             this packaging (it needs solutions/)
#   instructor-only tests those listed below, and any tests/test_* file that
#                         runs the references (--solution, solutions/,
#                         run_stage(..., true, ...)) or selfcheck
#
# Added: exercises/.pristine/, the skeletons as handed out (zcl reset puts
# them back). Changed: README.md, filtered to what the tarball ships
# (student_readme below): no class grading, Gradescope, Autolab, handing
# out, selfcheck or solutions.
#
# Then a check reads the finished tarball back: no file in it may contain a
# code line of a solution that the skeletons do not already show. Lines
# shorter than LEAK_MIN characters (`return -1;`, `if (errno == EINTR)`)
# are idioms every C file shares and are not counted; a copied solution
# always brings its longer lines along. On a hit the tarball is deleted and
# the script fails, naming the file and the line.
#
# As in make-gradescope.sh, ZCL_PACK_UNTRACKED=1 packs untracked files too.
#
#   sh lab/pack/make-student.sh            build and check the tarball
#   sh lab/pack/make-student.sh --check DIR   only check the files under DIR
#
# Exit 0 when the tarball is written and clean (or DIR is clean), 1 otherwise.
set -eu

check_dir=""
if [ "${1:-}" = "--check" ]; then
	[ -d "${2:-}" ] || { echo "make-student.sh: --check needs a directory" >&2; exit 1; }
	check_dir=$(cd "$2" && pwd)
	shift 2
fi
[ $# -eq 0 ] || { echo "usage: make-student.sh [--check DIR]" >&2; exit 1; }

cd "$(dirname "$0")/../.."
out=build/zero-copy-lab-student.tar.gz
top=zero-copy-lab
LEAK_MIN=24

# Instructor-only tests, whole files:
#   test_stages.c   runs every reference solution (sizes, faults, copy table)
#   test_cli.c      uses --solution and `zcl tour`, which runs the references
#   test_verdicts.c, test_hostile.c  embed passing submissions (RW_LOOP,
#                   SF_LOOP, whole mmap senders) among the failing ones
#   bench.sh, bench_workload.c  a finished read/write sender, and the
#                   benchmark times `zcl grade --solution`
#   test_packaging.*  builds these packages from solutions/
INSTRUCTOR_TESTS="tests/test_stages.c tests/test_cli.c tests/test_verdicts.c tests/test_hostile.c
tests/bench.sh tests/bench_workload.c tests/test_packaging.c tests/test_packaging.sh"

die() { echo "make-student.sh: $*" >&2; exit 1; }

# leak_check DIR: print "file:line: solution line (from solutions/X)" for
# every line of a file under DIR that contains a distinctive solution line;
# exit 1 if there is one. Solution lines are taken without comments and with
# blanks squeezed; a line the skeletons or zcl.h contain anywhere is not
# distinctive.
leak_check() {
	if ! ls solutions/*.c >/dev/null 2>&1; then
		die "no solutions/*.c here: run this in the instructor's tree"
	fi
	find "$1" -type f | LC_ALL=C sort >"$tmp/haystack"
	# shellcheck disable=SC2046  # file names from our own find, no blanks
	LC_ALL=C awk -v MIN="$LEAK_MIN" -v ROOT="$1/" '
	function squash(s) { gsub(/[ \t\r]+/, " ", s); sub(/^ /, "", s); sub(/ $/, "", s); return s }
	# s without its comments; a /* ... */ may span lines (state in incom)
	function code(s,   out, p, q) {
		out = ""
		while (s != "") {
			if (incom) {
				p = index(s, "*/")
				if (!p) break
				s = substr(s, p + 2); incom = 0; continue
			}
			p = index(s, "/*"); q = index(s, "//")
			if (q && (!p || q < p)) { out = out substr(s, 1, q - 1); break }
			if (!p) { out = out s; break }
			out = out substr(s, 1, p - 1) " "; s = substr(s, p + 2); incom = 1
		}
		return squash(out)
	}
	FNR == 1 { incom = 0 }
	phase == "shown" { shown[++nshown] = squash($0); next }
	phase == "solution" {
		c = code($0)
		if (length(c) < MIN || c in from) next
		for (i = 1; i <= nshown; i++) if (index(shown[i], c)) next
		from[c] = FILENAME; needle[++n] = c; next
	}
	{
		h = squash($0)
		for (i = 1; i <= n; i++)
			if (index(h, needle[i])) {
				f = FILENAME
				if (index(f, ROOT) == 1) f = substr(f, length(ROOT) + 1)
				printf "%s:%d: %s (from %s)\n", f, FNR, needle[i], from[needle[i]]
				bad = 1
			}
	}
	END { exit bad }
	' phase=shown exercises/* phase=solution solutions/*.c phase=check $(cat "$tmp/haystack")
}

# student_readme FILE: the README without what the student copy lacks.
#   - the subsections of "For instructors" about a class and the packages
#     (A whole class at once, Gradescope, Autolab, Handing out); the rest
#     of that section (the grading table, the sandbox) stays, under
#     "Grading and the sandbox";
#   - blocks between <!-- instructor-only --> and <!-- /instructor-only -->
#     (prose only: a comment would show inside a code block or a table);
#   - lines of code blocks, and table rows whose first cell, that name
#     selfcheck, --class, Gradescope, Autolab, solutions/, --solution or
#     ANSWERS.md; and ", selfcheck" in the other table rows.
student_readme() {
	awk '
	/^```/ { incode = !incode }
	/^## / {
		drop = 0
		if ($0 ~ /^## For instructors/) { print "## Grading and the sandbox"; next }
	}
	/^### / { drop = ($0 ~ /^### (A whole class|Gradescope|Autolab|GitHub Classroom|Handing out)/) }
	/<!-- instructor-only -->/ { skip = 1; next }
	/<!-- \/instructor-only -->/ { skip = 0; next }
	drop || skip { next }
	{ line = tolower($0) }
	/^\|/ { split(line, cell, "|"); line = cell[2] } # a table row: by its first cell
	(incode || /^\|/) && line ~ /selfcheck|--class|gradescope|autolab|solutions\/|--solution|answers\.md/ { next }
	/^\|/ { gsub(/, selfcheck/, "") } # a command the student copy cannot run
	{ print }
	' "$1"
}
# Words the student README must not have (what it does not ship).
# (solutions/ may still be named in prose, e.g. what the sandbox keeps a
# program from reading; the Layout line and the commands that need it go.)
README_NOT_SHIPPED='selfcheck|grade --class|### Gradescope|### Autolab|ANSWERS\.md|## For instructors'

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zcl-student-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

if [ -n "$check_dir" ]; then
	if leak_check "$check_dir"; then
		echo "no solution code under $check_dir"
		exit 0
	fi
	echo "make-student.sh: solution code found under $check_dir (lines above)" >&2
	exit 1
fi

command -v git >/dev/null 2>&1 || die "git is needed (the tarball holds the files git knows)"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || die "$(pwd) is not a git work tree"

. lab/pack/files.sh # (we are at the top of the tree)
pack_files "$tmp/all" make-student.sh

# The tests that run the references, found by what they say.
: >"$tmp/uses"
for f in tests/test_*; do
	[ -f "$f" ] || continue
	grep -qE -e '--solution|solutions/|run_stage\([^,]*, *true|selfcheck' "$f" && echo "$f" >>"$tmp/uses"
done
# shellcheck disable=SC2086  # one word per file
printf '%s\n' $INSTRUCTOR_TESTS >>"$tmp/uses"

grep -v -e '^solutions/' -e '^lab/pack/' "$tmp/all" | grep -vxF -f "$tmp/uses" >"$tmp/files" || true
grep -qx Makefile "$tmp/files" || die "Makefile is not among the files git knows"
echo "leaving out: solutions/ lab/pack/ $(grep -xF -f "$tmp/uses" "$tmp/all" | tr '\n' ' ')"

mkdir -p "$tmp/tree/$top"
tar cf - --no-recursion -T "$tmp/files" | tar xpf - -C "$tmp/tree/$top"

# The README describes only what ships; the skeletons are kept for zcl reset.
student_readme README.md >"$tmp/tree/$top/README.md"
if grep -nE "$README_NOT_SHIPPED" "$tmp/tree/$top/README.md" >&2; then
	die "the student README still names what the tarball does not ship (lines above): filter them in student_readme"
fi
mkdir -p "$tmp/tree/$top/exercises/.pristine"
for f in "$tmp/tree/$top"/exercises/[0-9][0-9]-*.c; do
	[ -f "$f" ] && cp -p "$f" "$tmp/tree/$top/exercises/.pristine/"
done

# Same tree, same tarball: fixed times (the last commit's), sorted names,
# no owners, no timestamp in the gzip header.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 315532800)}
mkdir -p build
rm -f "$out"
tar cf - -C "$tmp/tree" --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner "$top" |
	gzip -n -9 >"$out.tmp" || die "tar failed"
mv "$out.tmp" "$out"

# Read the tarball back and check what really went in.
mkdir "$tmp/back"
tar xzf "$out" -C "$tmp/back"
[ -d "$tmp/back/$top" ] || { rm -f "$out"; die "$out: no $top/ inside"; }
if [ -e "$tmp/back/$top/solutions" ]; then
	rm -f "$out"
	die "$out: solutions/ is inside"
fi
if ! leak_check "$tmp/back/$top"; then
	rm -f "$out"
	die "solution code would ship in the lines above; $out removed"
fi
echo "wrote $out ($(wc -c <"$out") bytes, $(wc -l <"$tmp/files") files under $top/; no solution code inside)"
