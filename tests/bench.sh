#!/bin/sh
# bench.sh - make bench: what the lab's figures are on this machine.
#
# 1. What zero-copy saves (zcl bench --solution --size 256M): every stage's
#    sender CPU per GiB sent and throughput, warm and cold cache, median of
#    5 rounds. Targets, warm cache: sendfile's sender CPU per GiB at most
#    0.6x read+write's, its throughput at least 1.4x. With gnuplot, the sweep
#    4 KiB .. 256 MiB is drawn into build/bench.svg.
# 2. The tracer's cost per syscall, next to strace (tests/bench_tracer.sh).
# 3. The grader on the reference solutions, and the animated view against
#    zcl check.
# 4. A class: zcl grade --class -j 2 on 10 copies of the references,
#    submissions per minute, median of 3 (target >= 100).
#
# Run from `make bench` (it builds ./zcl first). Exit 0 with the figures
# (PASS or MISS alike), 1 on a failed run.
set -u

cd "$(dirname "$0")/.." || exit 1

CPU_TARGET=0.6     # sendfile's sender CPU per GiB / read+write's, at most
SPEED_TARGET=1.4   # sendfile's throughput / read+write's, at least
TMP=

cleanup() {
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

fail() {
	echo "bench: $*" >&2
	exit 1
}

[ -x ./zcl ] || fail "./zcl is not built (run make)"
case $(date +%s%N) in
*N*|'') fail "date +%s%N does not give nanoseconds here (GNU date needed)" ;;
esac
TMP=$(mktemp -d /var/tmp/zcl-bench.XXXXXX) || fail "cannot make a temp dir in /var/tmp"

median() {
	sort -n "$TMP/ns.$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# 1. What zero-copy saves.
./zcl bench --solution --size 256M >"$TMP/zb.txt" 2>"$TMP/zb.err" ||
	fail "zcl bench failed: $(tail -1 "$TMP/zb.err")"
cat "$TMP/zb.txt"
# The first sendfile row is the warm cache's; columns 10 and 11 are CPU×rw and speed×rw.
awk -v c="$CPU_TARGET" -v s="$SPEED_TARGET" '$2 == "sendfile" && $3 != "not" {
	printf "\nsendfile against read+write, warm cache, 256 MiB: sender CPU %.2fx (target <= %s) %s, ", $10, c,
		($10 + 0 <= c + 0 ? "PASS" : "MISS")
	printf "throughput %.2fx (target >= %s) %s\n", $11, s, ($11 + 0 >= s + 0 ? "PASS" : "MISS")
	found = 1; exit
} END { if (!found) print "\nsendfile was not timed: no ratio (see above)" }' "$TMP/zb.txt"
if command -v gnuplot >/dev/null 2>&1; then
	mkdir -p build
	./zcl bench --solution --sizes 4K,64K,1M,16M,256M --warm --plot build/bench.svg >/dev/null 2>"$TMP/zp.err" &&
		echo "the sweep 4 KiB .. 256 MiB, warm, drawn in build/bench.svg" ||
		echo "bench: zcl bench --plot failed: $(tail -1 "$TMP/zp.err")" >&2
else
	echo "(gnuplot is not installed: no build/bench.svg; apt-get install gnuplot-nox)"
fi

# 2. The tracer's cost per traced syscall, next to strace and the floor.
echo
sh tests/bench_tracer.sh || echo "bench: tests/bench_tracer.sh failed (exit $?)" >&2

# 3. The grader on the reference solutions: every stage, every test.
echo
echo "zcl grade --solution (all stages, all tests), median of 3 runs:"
for i in 1 2 3; do
	t0=$(date +%s%N)
	./zcl grade --solution --format json >/dev/null 2>"$TMP/grade.err" ||
		fail "zcl grade --solution failed: $(cat "$TMP/grade.err")"
	t1=$(date +%s%N)
	echo $((t1 - t0)) >>"$TMP/ns.grade"
done
MG=$(median grade)
awk -v g="$MG" 'BEGIN { printf "  %.2f s   (target <= 10 s)  %s\n", g / 1e9, g <= 10e9 ? "PASS" : "MISS" }'

# The animated view in run mode must keep up with the program: it coalesces
# events, so a run takes at most 1.5x `zcl check` on the same input.
if command -v tmux >/dev/null 2>&1; then
	echo
	echo "zcl run --speed 9 (animated, run mode, in a tmux pane) vs zcl check, stage 1 on 64 MiB in 64 KiB chunks, median of 3:"
	for i in 1 2 3; do
		t0=$(date +%s%N)
		./zcl check 1 --solution --size 64M >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $((t1 - t0)) >>"$TMP/ns.check"
		rm -f "$TMP/tui.done"
		t0=$(date +%s%N)
		tmux -L "zcl-bench-$$" -f /dev/null new-session -d -x 100 -y 32 \
			"env LANG=C.UTF-8 TERM=xterm-256color ./zcl run 1 --solution --size 64M --speed 9 --once; touch '$TMP/tui.done'"
		while [ ! -e "$TMP/tui.done" ]; do sleep 0.02; done
		t1=$(date +%s%N)
		tmux -L "zcl-bench-$$" kill-server 2>/dev/null
		echo $((t1 - t0)) >>"$TMP/ns.tui"
	done
	MC=$(median check)
	MT=$(median tui)
	awk -v c="$MC" -v t="$MT" 'BEGIN {
		printf "  zcl check %.2f s, zcl run (TUI) %.2f s: ratio %.2f   (target <= 1.5)  %s\n",
			c / 1e9, t / 1e9, t / c, t / c <= 1.5 ? "PASS" : "MISS"
	}'
fi

# 4. A whole class: zcl grade --class on 10 copies of the reference
# solutions, two students at once (-j 2): submissions per minute, the median
# of 3 rounds (each into a fresh results folder: a second round into the
# same one would keep every result). Every student is a fresh tree, so each
# one's nine stages are compiled too (the lab's harness is compiled once,
# per contract: lab/build.c). The load average is printed with it: other
# work on the machine takes CPU from the graders.
echo
CLASS_N=10
CLASS_TARGET=100   # submissions per minute with -j 2, at least
mkdir -p "$TMP/class" || fail "cannot make $TMP/class"
i=1
while [ "$i" -le "$CLASS_N" ]; do
	mkdir -p "$TMP/class/student$i" && cp solutions/[0-9][0-9]-*.c "$TMP/class/student$i/" ||
		fail "cannot copy the solutions into $TMP/class/student$i"
	i=$((i + 1))
done
echo "zcl grade --class (10 copies of the reference solutions) -j 2, median of 3 rounds" \
	"(load average $(cut -d' ' -f1-3 /proc/loadavg)):"
for round in 1 2 3; do
	t0=$(date +%s%N)
	./zcl grade --class "$TMP/class" -j 2 --out "$TMP/class-out$round" >"$TMP/class.out" 2>&1 ||
		fail "zcl grade --class failed: $(tail -3 "$TMP/class.out")"
	t1=$(date +%s%N)
	grep -q "$CLASS_N students, 0 without a result" "$TMP/class.out" ||
		fail "zcl grade --class: not every student has a result: $(tail -1 "$TMP/class.out")"
	echo $((t1 - t0)) >>"$TMP/ns.class"
done
MK=$(median class)
awk -v d="$MK" -v n="$CLASS_N" -v t="$CLASS_TARGET" 'BEGIN {
	r = n * 60e9 / d
	printf "  %d submissions in %.1f s: %.0f per minute   (target >= %d)  %s\n", n, d / 1e9, r, t, (r >= t ? "PASS" : "MISS")
}'
