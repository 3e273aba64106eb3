#!/bin/sh
# autolab-grade.sh - grade one Autolab handin inside the Tango VM.
#
# Called by autograde-Makefile with the handin file (a .tar, .tar.gz, .tgz
# or .zip holding the stage files, loose or in folders; a lone NN-slug.c is
# taken as that one stage). It builds the lab, puts the stage files found
# in the handin over the skeletons (regular files only, at most 1 MiB, the
# shallowest match), and runs `zcl grade --format autolab`, whose last line
# is Autolab's JSON. If anything fails before that, the last line still is
# Autolab's JSON: every problem with 0 and the full scoreboard, after a line
# saying what went wrong. Exit 0 in both cases (Autolab reads the line).
set -u

handin=${1:-handin.tar}
here=$(pwd)
lab=$here/zcl
max_bytes=$((1024 * 1024))

# The problems, from the skeletons: 01-readwrite 02-mmap ...
problems=$(cd "$lab/exercises" 2>/dev/null && ls [0-9][0-9]-*.c 2>/dev/null | sed 's/\.c$//')

did_not_finish() {
	echo "autolab-grade: $1"
	scores="" board=""
	for p in $problems; do
		scores="$scores${scores:+, }\"$p\": 0"
		board="${board}0, "
	done
	echo "{\"scores\": {$scores}, \"scoreboard\": [${board}0]}"
	exit 0
}

[ -n "$problems" ] || did_not_finish "the lab is missing from autograde.tar (no zcl/exercises)"
make -s -C "$lab" zcl >"$here/build.log" 2>&1 ||
	did_not_finish "the lab did not build in this VM (missing packages? see README, Autolab): $(tail -n 3 "$here/build.log" | tr '\n' ' ')"

up=$here/handin.d
rm -rf "$up" && mkdir "$up"
case $handin in
*.zip) unzip -qq -o "$handin" -d "$up" >/dev/null 2>&1 ;;
*.tar | *.tar.gz | *.tgz | *.tar.xz) tar --no-same-owner -xf "$handin" -C "$up" 2>/dev/null ;;
*.c) cp -- "$handin" "$up/" ;;
*) did_not_finish "handin $handin: expected a .tar, .tar.gz, .tgz, .zip or a stage .c file" ;;
esac || did_not_finish "handin $handin: cannot be unpacked"

for p in $problems; do
	best=$(find "$up" -type f -name "$p.c" -not -path '*/__MACOSX/*' -size -"$max_bytes"c \
		-printf '%d %p\n' 2>/dev/null | LC_ALL=C sort -n -k1,1 -k2 | head -n 1 | cut -d' ' -f2-)
	if [ -n "$best" ]; then
		cp -- "$best" "$lab/exercises/$p.c" && echo "autolab-grade: $p.c <- ${best#"$up"/}"
	else
		echo "autolab-grade: $p.c: not in the handin, graded on the skeleton (0 points)"
	fi
done

cd "$lab" || did_not_finish "cannot enter $lab"
ZCL_ROOT=$lab ./zcl grade --format autolab
rc=$?
[ $rc -le 1 ] || did_not_finish "zcl grade exited with status $rc"
exit 0
