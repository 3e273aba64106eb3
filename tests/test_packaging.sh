#!/bin/sh
# test_packaging.sh - the class packages work end to end, offline.
#
# Gradescope: build the zip, unpack it into a throwaway /autograder-like
# tree, run its setup.sh (without apt-get), then its run_autograder on the
# reference solutions (full marks), on an empty upload (skeletons, 0), on
# uploads that reach for the solutions (0), and with a zcl that crashes or
# hangs (a results.json that says so).
# Autolab: make autolab, then make in a VM-like folder with a handin (a
# nested stage file is graded; a broken handin still gives Autolab's line).
# Students: build the tarball, unpack it elsewhere, build it, see that
# `zcl check` and `zcl grade` work on the skeletons, and that no solution
# code is inside (and that the leak check would notice if there were).
# GitHub Classroom: make classroom, and the workflow's grading steps run
# in that student tree add up to what the reporter would send.
#
# The packages are made from the working tree as it is (untracked files
# included). Prints "ok - ..." / "not ok - ..." per check, then
# "N passed, M failed"; exit 0 only if nothing failed. Run by
# tests/test_packaging.c under `make test`, or by hand: sh tests/test_packaging.sh

# shellcheck disable=SC2046  # set -- $(score_of FILE) splits on purpose
set -u

cd "$(dirname "$0")/.." || exit 2
repo=$(pwd)
unset ZCL_ROOT ZCL_LAB ZCL_KEEP_SOLUTIONS  # each lab below finds its own tree
export ZCL_PACK_UNTRACKED=1     # pack the tree under test, committed or not
export ZCL_GRADE_TIMEOUT=120    # run_autograder's limit for one zcl grade

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
# not_ok DESC [LOG]: count a failure and show the end of LOG
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1"
	[ -n "${2:-}" ] && [ -s "$2" ] && tail -n 25 "$2" | sed 's/^/#   /'
	return 0
}
# expect DESC LOG CMD...: run CMD with its output in LOG; ok if it exits 0
expect() {
	d=$1 l=$2
	shift 2
	if "$@" >"$l" 2>&1; then ok "$d"; else not_ok "$d (exit $?)" "$l"; fi
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}

for tool in git zip unzip make tar gzip; do
	command -v "$tool" >/dev/null 2>&1 || { not_ok "$tool is installed (needed to build the packages)"; finish; }
done

tmp=$(mktemp -d /var/tmp/zcl-packaging-XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
# Stage programs run as an unprivileged user when we are root: they must be
# able to reach the lab's files under here.
chmod 755 "$tmp"

# score_of FILE: print "SCORE MAX" of a Gradescope results.json (MAX: the
# sum of the tests' max_score), or nothing if it does not parse.
score_of() {
	if command -v python3 >/dev/null 2>&1; then
		python3 - "$1" <<'PY' 2>/dev/null
import json, sys
d = json.load(open(sys.argv[1]))
print(d["score"], sum(t.get("max_score", 0) for t in d.get("tests", [])))
PY
		return
	fi
	# No python3: the top-level score comes first in both writers.
	grep -q '"score"' "$1" || return 0
	s=$(grep -o '"score": *[0-9.]*' "$1" | head -n 1 | sed 's/.*: *//')
	m=$(grep -o '"max_score": *[0-9.]*' "$1" | sed 's/.*: *//' | awk '{ t += $1 } END { print t + 0 }')
	echo "$s $m"
}

# is_json FILE: true if FILE is valid JSON (python3), or looks like it.
is_json() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -m json.tool "$1" >/dev/null 2>&1
	else
		[ "$(head -c 1 "$1")" = "{" ] && grep -q '"score"' "$1"
	fi
}

# ---------------------------------------------------------------- Gradescope
zip=build/gradescope-autograder.zip
expect "make-gradescope.sh builds $zip" "$tmp/pack.log" sh lab/pack/make-gradescope.sh

listing=$(unzip -Z "$zip" 2>/dev/null)
names=$(unzip -Z1 "$zip" 2>/dev/null)
layout=1
for need in setup.sh run_autograder zcl/Makefile zcl/lab/main.c zcl/exercises/zcl.h zcl/solutions/03-sendfile.c; do
	printf '%s\n' "$names" | grep -qx "$need" || { layout=0; echo "#   missing: $need"; }
done
printf '%s\n' "$names" | grep -q -e '^zcl/build/' -e '^zcl/zcl$' && { layout=0; echo "#   build output inside"; }
printf '%s\n' "$listing" | grep -q '^-rwx.* setup\.sh$' || { layout=0; echo "#   setup.sh not executable"; }
printf '%s\n' "$listing" | grep -q '^-rwx.* run_autograder$' || { layout=0; echo "#   run_autograder not executable"; }
if [ $layout = 1 ]; then ok "the zip has setup.sh and run_autograder at its top, the lab under zcl/"; else not_ok "zip layout"; fi

ag=$tmp/autograder
lab=$ag/source/zcl
mkdir -p "$ag/source" "$ag/submission" "$ag/results"
unzip -q "$zip" -d "$ag/source"
expect "setup.sh builds the lab (ZCL_SKIP_APT=1)" "$tmp/setup.log" \
	env ZCL_SKIP_APT=1 bash "$ag/source/setup.sh"
if [ -x "$lab/zcl" ] && [ ! -e "$lab/solutions" ]; then
	ok "setup.sh leaves ./zcl built and solutions/ removed"
else
	not_ok "setup.sh leaves ./zcl built and solutions/ removed" "$tmp/setup.log"
fi

# run_grader NAME: run run_autograder against $ag, log in $tmp/NAME.log
run_grader() {
	rm -f "$ag/results/results.json"
	AUTOGRADER_ROOT=$ag bash "$ag/source/run_autograder" >"$tmp/$1.log" 2>&1
}

# The references, uploaded the ways students do: loose, in exercises/, deep;
# plus files that must be ignored.
cp solutions/01-readwrite.c solutions/02-mmap.c "$ag/submission/"
mkdir -p "$ag/submission/exercises" "$ag/submission/my work/lab 4"
cp solutions/03-sendfile.c "$ag/submission/exercises/"
cp solutions/04-gather.c "$ag/submission/my work/lab 4/"
for f in solutions/[0-9][0-9]-*.c; do # the stages past 4, loose
	case ${f##*/} in 0[1-4]-*) ;; *) cp "$f" "$ag/submission/" ;; esac
done
echo "int main(void) { return 0; }" >"$ag/submission/main.c"
echo "notes" >"$ag/submission/README.txt"
run_grader solutions
res=$ag/results/results.json
if [ -f "$res" ] && is_json "$res"; then
	ok "run_autograder on the solutions writes a valid results.json"
	set -- $(score_of "$res")
	if [ $# -eq 2 ] && [ "$1" = "$2" ] && [ "$2" != 0 ]; then
		ok "the solutions score full marks ($1/$2)"
	else
		not_ok "the solutions score full marks (got: ${1:-?}/${2:-?})" "$tmp/solutions.log"
	fi
else
	not_ok "run_autograder on the solutions writes a valid results.json" "$tmp/solutions.log"
	not_ok "the solutions score full marks"
fi

rm -rf "$ag/submission"
mkdir "$ag/submission"
run_grader skeletons
if [ -f "$res" ] && is_json "$res"; then
	ok "run_autograder on an empty upload writes a valid results.json"
	set -- $(score_of "$res")
	if [ $# -eq 2 ] && [ "$1" = 0 ] && [ "$2" != 0 ]; then
		ok "the skeletons score 0 (0/$2)"
	else
		not_ok "the skeletons score 0 (got: ${1:-?}/${2:-?})" "$tmp/skeletons.log"
	fi
	if grep -q "not in your upload" "$res" || ! command -v python3 >/dev/null 2>&1; then
		ok "the student is told which files were missing"
	else
		not_ok "the student is told which files were missing" "$res"
	fi
else
	not_ok "run_autograder on an empty upload writes a valid results.json" "$tmp/skeletons.log"
	not_ok "the skeletons score 0"
fi

# Uploads that try to get at the references: an #include of the lab's
# solutions/ (gone since setup.sh) and a symbolic link to this tree's.
printf '#include "%s/solutions/02-mmap.c"\n' "$lab" >"$ag/submission/02-mmap.c"
printf '#include "../solutions/03-sendfile.c"\n' >"$ag/submission/03-sendfile.c"
ln -s "$repo/solutions/01-readwrite.c" "$ag/submission/01-readwrite.c"
run_grader cheat
set -- $(score_of "$res" 2>/dev/null)
if [ -f "$res" ] && [ "${1:-}" = 0 ]; then
	ok "uploads that #include the solutions or link to them score 0"
else
	not_ok "uploads that #include the solutions or link to them score 0 (got ${1:-?})" "$tmp/cheat.log"
fi
rm -rf "$ag/submission"
mkdir "$ag/submission"

# A wrong upload (no stage file at all) is told what it held, names
# escaped; the tests' visibility is the instructor's choice.
mkdir -p "$ag/submission/src"
echo "%PDF" >"$ag/submission/report.pdf"
echo "int x;" >"$ag/submission/src/sendfile.c"
echo "odd" >"$ag/submission/$(printf 'line\nbreak')"
ZCL_GS_VISIBILITY=after_due_date run_grader wrong
if grep -q 'It contained:' "$res" && grep -q 'report.pdf' "$res" && grep -q 'src/sendfile.c' "$res" &&
	grep -q 'line\\\\nbreak' "$res"; then
	ok "a wrong upload is told which files it held (names escaped)"
else
	not_ok "a wrong upload is told which files it held (names escaped)" "$res"
fi
if grep -q '"visibility": *"after_due_date"' "$res" && ! grep -q '"visibility": *"visible"' "$res"; then
	ok "ZCL_GS_VISIBILITY sets every test's visibility"
else
	not_ok "ZCL_GS_VISIBILITY sets every test's visibility" "$res"
fi
rm -rf "$ag/submission"
mkdir "$ag/submission"

# A grader that dies, or hangs, before writing anything still leaves an
# answer.
mv "$lab/zcl" "$lab/zcl.real"
printf '#!/bin/sh\necho "zcl: about to crash"\nkill -SEGV $$\n' >"$lab/zcl"
chmod 755 "$lab/zcl"
run_grader crash
if [ -f "$res" ] && is_json "$res" && grep -q "internal error" "$res" && grep -q "about to crash" "$res"; then
	set -- $(score_of "$res")
	if [ "${1:-}" = 0 ]; then
		ok "a crashing zcl grade still leaves a results.json: score 0, saying why"
	else
		not_ok "a crashing zcl grade leaves score 0 (got ${1:-?})" "$res"
	fi
else
	not_ok "a crashing zcl grade still leaves a results.json saying why" "$tmp/crash.log"
fi
printf '#!/bin/sh\nsleep 30\n' >"$lab/zcl"
ZCL_GRADE_TIMEOUT=1 run_grader hang
if [ -f "$res" ] && is_json "$res" && grep -q "did not finish" "$res"; then
	ok "a hanging zcl grade is stopped and the results.json says so"
else
	not_ok "a hanging zcl grade is stopped and the results.json says so" "$tmp/hang.log"
fi
mv -f "$lab/zcl.real" "$lab/zcl"

# ------------------------------------------------------------------- Autolab
# The two files an assessment needs; a VM-like directory: autograde.tar,
# the Makefile and a handin. The last line must be Autolab's JSON, with
# every problem, whatever happened.
expect "make autolab builds autograde.tar and autograde-Makefile" "$tmp/autolab.log" make -s autolab
al=$tmp/autolab
mkdir -p "$al/vm" "$al/handin/deep/er"
cp build/autolab/autograde.tar "$al/vm/" && cp build/autolab/autograde-Makefile "$al/vm/Makefile"
if tar tf build/autolab/autograde.tar | grep -q '^zcl/solutions/.'; then
	not_ok "autograde.tar holds no solutions/"
else
	ok "autograde.tar holds no solutions/"
fi
cp solutions/03-sendfile.c "$al/handin/deep/er/"
tar cf "$al/vm/handin.tar" -C "$al/handin" .
(cd "$al/vm" && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make >"$al/run.log" 2>&1)
last=$(tail -n 1 "$al/run.log")
case $last in
*'"03-sendfile": 20'*'"scoreboard": ['*) ok "autolab: a nested stage file is graded (last line: scores)" ;;
*) not_ok "autolab: a nested stage file is graded (last line: scores)" "$al/run.log" ;;
esac
echo "not a tar" >"$al/vm/handin.tar"
(cd "$al/vm" && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make >"$al/bad.log" 2>&1)
last=$(tail -n 1 "$al/bad.log")
case $last in
'{"scores": {"01-readwrite": 0,'*'"scoreboard": [0, '*) ok "autolab: a broken handin still ends with every problem at 0" ;;
*) not_ok "autolab: a broken handin still ends with every problem at 0" "$al/bad.log" ;;
esac

# ------------------------------------------------------------------ students
tgz=build/zero-copy-lab-student.tar.gz
expect "make-student.sh builds $tgz" "$tmp/student-pack.log" sh lab/pack/make-student.sh

contents=$(tar tzf "$tgz" 2>/dev/null)
if [ -n "$contents" ] && ! printf '%s\n' "$contents" | grep -qv '^zero-copy-lab/' &&
	! printf '%s\n' "$contents" | grep -q -e '/solutions/' -e '/lab/pack/' -e '/tests/test_stages\.c$'; then
	ok "the tarball holds zero-copy-lab/ without solutions/, lab/pack/ or instructor tests"
else
	not_ok "the tarball holds zero-copy-lab/ without solutions/, lab/pack/ or instructor tests"
	printf '%s\n' "$contents" | grep -e '/solutions/' -e '/lab/pack/' -e '/tests/test_stages' -e '^[^z]' | sed 's/^/#   /'
fi

mkdir "$tmp/student"
tar xzf "$tgz" -C "$tmp/student"
st=$tmp/student/zero-copy-lab
expect "the student tree builds with make" "$tmp/student-make.log" make -C "$st"

(cd "$st" && ./zcl check 1) >"$tmp/check.log" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "not-implemented" "$tmp/check.log"; then
	ok "./zcl check 1 in the student tree: exit 1, not-implemented"
else
	not_ok "./zcl check 1 in the student tree: exit 1, not-implemented (exit $rc)" "$tmp/check.log"
fi

(cd "$st" && ./zcl grade) >"$tmp/grade.log" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "Points 0/" "$tmp/grade.log"; then
	ok "./zcl grade in the student tree: exit 1, no points"
else
	not_ok "./zcl grade in the student tree: exit 1, no points (exit $rc)" "$tmp/grade.log"
fi

# The README describes what ships: the instructor's sections are out (each
# is in the full README, so this can fail), the student's are in.
readme_bad=""
for w in "## For instructors" "### Gradescope" "### Autolab" "### A whole class" "zcl selfcheck" "grade --class" "solutions/   NN-slug.c"; do
	grep -qF -- "$w" README.md || readme_bad="$readme_bad [the full README lacks '$w']"
	grep -qF -- "$w" "$st/README.md" && readme_bad="$readme_bad [student README has '$w']"
done
for w in "## Quick start" "## Commands" "./zcl reset" "### Grading" "### The sandbox"; do
	grep -qF -- "$w" "$st/README.md" || readme_bad="$readme_bad [student README lacks '$w']"
done
if [ -z "$readme_bad" ]; then
	ok "the student README describes only what the tarball ships"
else
	not_ok "the student README describes only what the tarball ships:$readme_bad"
fi

# zcl reset in the student tree: the shipped skeleton back, the work kept.
cp "$st/exercises/01-readwrite.c" "$tmp/skel01.c"
echo "int my_work;" >>"$st/exercises/01-readwrite.c"
(cd "$st" && ./zcl reset 1) >"$tmp/reset.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && cmp -s "$tmp/skel01.c" "$st/exercises/01-readwrite.c" &&
	grep -q "int my_work;" "$st"/exercises/01-readwrite.c.bak-* && grep -q "pristine" "$tmp/reset.log"; then
	ok "./zcl reset 1 in the student tree: the shipped skeleton back, a backup of the work"
else
	not_ok "./zcl reset 1 in the student tree (exit $rc)" "$tmp/reset.log"
fi
rm -f "$st"/exercises/01-readwrite.c.bak-*

if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists criterion; then
	expect "the student tree's test suite still compiles" "$tmp/student-tests.log" \
		make -C "$st" build/test_zcl
fi

expect "no solution code in the student tree (make-student.sh --check)" "$tmp/leak.log" \
	sh lab/pack/make-student.sh --check "$st"

for s in solutions/*.c; do
	find "$st" -type f -exec cmp -s "$s" {} \; -print
done >"$tmp/copies"
if [ ! -s "$tmp/copies" ]; then
	ok "no file in the student tree is a copy of a solution"
else
	not_ok "no file in the student tree is a copy of a solution" "$tmp/copies"
fi

# ---------------------------------------------------------- GitHub Classroom
# make classroom, then the workflow's grading steps run as Actions runs
# them (bash -eo pipefail, their output to $GITHUB_OUTPUT) in the built
# student tree with stage 3 solved; the runners' results added up as the
# reporter adds them up: 20 of 100.
expect "make classroom writes build/classroom/ with its workflow" "$tmp/classroom.log" make -s classroom
wf=build/classroom/.github/workflows/classroom.yml
if cmp -s "$wf" lab/pack/github-classroom.yml && [ -f build/classroom/exercises/03-sendfile.c ] &&
	[ ! -e build/classroom/solutions ]; then
	ok "build/classroom/ holds the student tree and .github/workflows/classroom.yml"
else
	not_ok "build/classroom/ holds the student tree and .github/workflows/classroom.yml" "$tmp/classroom.log"
fi
cp solutions/03-sendfile.c "$st/exercises/"
: >"$tmp/gh-output"
sed -n 's/^        run: \(echo "result=.*\)$/\1/p' "$wf" >"$tmp/gh-steps"
while IFS= read -r step; do
	(cd "$st" && GITHUB_OUTPUT=$tmp/gh-output bash --noprofile --norc -eo pipefail -c "$step") ||
		echo "step failed: $step" >>"$tmp/gh-output"
done <"$tmp/gh-steps"
runners=$(sed -n 's/^ *runners: *//p' "$wf")
total=$(RUNNERS=$runners python3 - "$tmp/gh-output" <<'PY' 2>&1
import base64, json, os, sys
results = [l.split("=", 1)[1] for l in open(sys.argv[1]).read().splitlines() if l.startswith("result=")]
runners = os.environ["RUNNERS"].split(",")
assert len(results) == len(runners), (results, runners)
got = max_ = 0
for r in results:
    d = json.loads(base64.b64decode(r))
    assert d["version"] == 1 and d["status"] in ("pass", "fail"), d
    max_ += d["max_score"]
    got += sum(t["score"] for t in d["tests"])
print(got, max_)
PY
)
nstages=$(ls exercises/[0-9][0-9]-*.c | wc -l)
if [ "$total" = "20 $((20 * nstages))" ]; then
	ok "the workflow's steps give the reporter 20/$((20 * nstages)) for stage 3 alone"
else
	not_ok "the workflow's steps give the reporter 20/$((20 * nstages)) for stage 3 alone (got: $total)" "$tmp/gh-output"
fi
cp exercises/03-sendfile.c "$st/exercises/"

# The leak check must be able to fail: plant a solution, with its
# comments stripped and its indentation changed, and see it caught.
mkdir -p "$tmp/planted/tests"
sed -e 's/^\t*//' -e '/^ *\*/d' solutions/02-mmap.c >"$tmp/planted/tests/fixture.c"
if sh lab/pack/make-student.sh --check "$tmp/planted" >"$tmp/planted.log" 2>&1; then
	not_ok "the leak check finds a planted solution" "$tmp/planted.log"
else
	if grep -q "fixture.c" "$tmp/planted.log"; then
		ok "the leak check finds a planted solution"
	else
		not_ok "the leak check finds a planted solution" "$tmp/planted.log"
	fi
fi

finish
