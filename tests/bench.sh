#!/bin/sh
# bench.sh - what the lab's tracer costs per syscall, and next to strace.
#
# One sender copies a 64 MiB file to a TCP socket with 4 KiB read()/write()
# calls (tests/bench_workload.c), so it makes a known number of syscalls:
# about 2 * 16384. We time the sender untraced, under `zcl trace` (which takes
# read/write byte counts from the kernel's per-thread I/O counters, one ptrace
# stop per call), under `zcl trace --exact` (an exit stop on every call, like
# strace) and under `strace -f`, five rounds each, interleaved so drift hits all alike,
# and take the median. The extra time divided by the syscall count is the
# tracer's cost per traced syscall. The file is warmed first, so the disk is
# not what we measure; the receiver (drain) runs untraced, one per round.
#
# Run from `make bench` (it builds ./zcl first). Exit 0 with the figures
# (PASS or MISS alike), 1 on a failed run, 2 if strace is missing.
set -u

cd "$(dirname "$0")/.." || exit 1

SIZE=$((64 * 1024 * 1024))  # bytes the sender copies
CHUNK=4096                  # read()/write() size; the syscall estimate assumes it
ROUNDS=5                    # rounds per variant; the median is reported
TARGET=0.5                  # zcl trace must take at most this fraction of strace's time
VARIANTS="untraced zcl exact strace"
BW=build/bench_workload

TMP=
DRAIN_PID=

cleanup() {
	if [ -n "$DRAIN_PID" ]; then
		kill "$DRAIN_PID" 2>/dev/null
		wait "$DRAIN_PID" 2>/dev/null
	fi
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

fail() {
	echo "bench: $*" >&2
	exit 1
}

if ! command -v strace >/dev/null 2>&1; then
	echo "bench: strace not installed (make deps installs it)" >&2
	exit 2
fi
[ -x ./zcl ] || fail "./zcl is not built (run make)"
case $(date +%s%N) in
*N*|'') fail "date +%s%N does not give nanoseconds here (GNU date needed)" ;;
esac

mkdir -p build || fail "cannot create build/"
cc -std=c17 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$BW" tests/bench_workload.c ||
	fail "cannot build $BW"

TMP=$(mktemp -d /var/tmp/zcl-bench.XXXXXX) || fail "cannot make a temp dir in /var/tmp"
F=$TMP/input
"$BW" make "$F" "$SIZE" || fail "cannot write the $SIZE-byte input in $TMP"
cat "$F" >/dev/null || fail "cannot read $F"

# Start a fresh receiver; sets DRAIN_PID and PORT.
start_drain() {
	rm -f "$TMP/port"
	"$BW" drain "$TMP/port" 2>"$TMP/drain.err" &
	DRAIN_PID=$!
	i=0
	while [ ! -s "$TMP/port" ]; do
		kill -0 "$DRAIN_PID" 2>/dev/null ||
			fail "the receiver died before listening: $(cat "$TMP/drain.err")"
		i=$((i + 1))
		[ "$i" -le 500 ] || fail "the receiver did not publish its port within 5 s"
		sleep 0.01 2>/dev/null || sleep 1
	done
	PORT=$(cat "$TMP/port")
}

# Run one variant's sender once; append its wall time (ns) to $TMP/ns.VARIANT
# and leave it in NS.
run_round() {
	variant=$1
	start_drain
	case $variant in
	untraced) set -- "$BW" send "$F" "$PORT" ;;
	zcl) set -- ./zcl trace --summary -o /dev/null -- "$BW" send "$F" "$PORT" ;;
	exact) set -- ./zcl trace --exact --summary -o /dev/null -- "$BW" send "$F" "$PORT" ;;
	strace) set -- strace -f -e trace=read,write -o /dev/null "$BW" send "$F" "$PORT" ;;
	esac
	t0=$(date +%s%N)
	"$@" >/dev/null 2>"$TMP/send.err"
	rc=$?
	t1=$(date +%s%N)
	if [ "$rc" -ne 0 ]; then
		echo "bench: round $r: the sender ($*) exited with status $rc:" >&2
		sed 's/^/  /' "$TMP/send.err" >&2
		exit 1
	fi
	wait "$DRAIN_PID"
	rc=$?
	DRAIN_PID=
	[ "$rc" -eq 0 ] || fail "round $r: the receiver exited with status $rc: $(cat "$TMP/drain.err")"
	NS=$((t1 - t0))
	echo "$NS" >>"$TMP/ns.$variant"
}

median() {
	sort -n "$TMP/ns.$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

ms() {
	awk -v ns="$1" 'BEGIN { printf "%.1f", ns / 1e6 }'
}

NSYS=$((2 * ((SIZE + CHUNK - 1) / CHUNK) + 2))

echo "zcl bench: wall time of one process copying $((SIZE >> 20)) MiB to a TCP socket with $CHUNK-byte read()/write()"
echo "           untraced, under ./zcl trace, ./zcl trace --exact and strace -f; file warm in the page cache;"
echo "           median of $ROUNDS interleaved rounds; the receiver runs untraced"
echo

r=1
while [ "$r" -le "$ROUNDS" ]; do
	line=$(printf 'round %d/%d' "$r" "$ROUNDS")
	for v in $VARIANTS; do
		run_round "$v"
		line=$(printf '%s   %-8s %8s ms' "$line" "$v" "$(ms "$NS")")
	done
	echo "$line"
	r=$((r + 1))
done

MU=$(median untraced)
MZ=$(median zcl)
MX=$(median exact)
MS=$(median strace)

echo
echo "median wall time"
printf '  %-22s %8s ms\n' "untraced" "$(ms "$MU")"
printf '  %-22s %8s ms\n' "zcl trace" "$(ms "$MZ")"
printf '  %-22s %8s ms\n' "zcl trace --exact" "$(ms "$MX")"
printf '  %-22s %8s ms\n' "strace -f" "$(ms "$MS")"
echo
echo "cost per traced syscall = (median traced - median untraced) / $NSYS"
echo "  ($NSYS is an estimate: 2*ceil(size/$CHUNK)+2 reads and writes of the sender)"
awk -v u="$MU" -v z="$MZ" -v x="$MX" -v s="$MS" -v n="$NSYS" -v t="$TARGET" 'BEGIN {
	printf "  %-22s %8.2f µs\n", "zcl trace", (z - u) / n / 1000
	printf "  %-22s %8.2f µs\n", "zcl trace --exact", (x - u) / n / 1000
	printf "  %-22s %8.2f µs\n", "strace -f", (s - u) / n / 1000
	ratio = z / s
	printf "\nratio median zcl / median strace  %.2f   (target <= %s)  %s\n",
		ratio, t, ratio <= t ? "PASS" : "MISS"
	printf "ratio median zcl --exact / median strace  %.2f   (for reference)\n", x / s
}'

# The grader on the reference solutions: every stage, every test.
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
