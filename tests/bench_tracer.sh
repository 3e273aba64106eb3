#!/bin/sh
# bench_tracer.sh - what zcl trace costs above the least any tracer must pay.
#
# The workload is bench.sh's: one sender copies a 64 MiB file (warm in the
# page cache) to a TCP socket with 4 KiB read()/write() calls
# (tests/bench_workload.c), about 2 x 16384 traced calls. It is timed
# untraced, under two minimal tracers built here (tests/bench_floor.c: "one"
# stops once per read/write and continues, "two" also stops at the exit, as
# --exact does), under `zcl trace` and under `zcl trace --exact`. The floors
# pin themselves as zcl does (tracer and program on the CPU the tracer starts
# on). Rounds are interleaved so drift hits all alike; the median is taken.
#
#   zcl / floor            = median wall time of zcl trace / of bench_floor one
#   zcl --exact / floor    = the same against bench_floor two
# Beside them, strace -f pinned the same way (taskset: it and the program on
# one CPU), so zcl and strace are compared like with like; skipped when
# strace or taskset is missing.
# Target: both <= 1.15. The same ratios are printed for CPU time (user +
# system of the tracer and the program, from the shell's `times`): on a busy
# machine the wall time also holds the time spent waiting for a CPU, which
# hits the pinned pair at random; CPU time mostly does not.
#
# Usage: sh tests/bench_tracer.sh [ROUNDS]   (from the top of the tree, after
# make; bench.sh calls it). Exit 0 with the figures (PASS or MISS alike), 1 on
# a failed run.
set -u

cd "$(dirname "$0")/.." || exit 1

SIZE=$((64 * 1024 * 1024))  # bytes the sender copies
CHUNK=4096                  # read()/write() size
ROUNDS=${1:-7}              # rounds per variant; the median is reported
TARGET=1.15                 # zcl may take at most this times the floor's wall time
VARIANTS="untraced floor1 zcl floor2 exact"
if command -v strace >/dev/null 2>&1 && command -v taskset >/dev/null 2>&1; then
	VARIANTS="$VARIANTS strace"
fi
BW=build/bench_workload
BF=build/bench_floor

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
	echo "bench_tracer: $*" >&2
	exit 1
}

[ -x ./zcl ] || fail "./zcl is not built (run make)"
case $(date +%s%N) in
*N*|'') fail "date +%s%N does not give nanoseconds here (GNU date needed)" ;;
esac
mkdir -p build || fail "cannot create build/"
cc -std=c17 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$BW" tests/bench_workload.c ||
	fail "cannot build $BW"
cc -std=c17 -O2 -Wall -Wextra -Werror -o "$BF" tests/bench_floor.c || fail "cannot build $BF"

TMP=$(mktemp -d /var/tmp/zcl-bench-tracer.XXXXXX) || fail "cannot make a temp dir in /var/tmp"
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

# CPU time (user + system, ms) of the shell's children, from the output of
# `times` in FILE (it must run in this shell, not in a $(...) subshell).
child_cpu_ms() {
	awk 'NR == 2 {
		split($1, u, /[ms]/); split($2, s, /[ms]/)
		printf "%d", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000
	}' "$1"
}

# Run one variant once; append its wall time (ns) to $TMP/ns.VARIANT and its
# CPU time (ms) to $TMP/cpu.VARIANT, leave the wall time in NS.
run_round() {
	variant=$1
	start_drain
	case $variant in
	untraced) set -- "$BW" send "$F" "$PORT" ;;
	floor1) set -- "$BF" one "$BW" send "$F" "$PORT" ;;
	floor2) set -- "$BF" two "$BW" send "$F" "$PORT" ;;
	zcl) set -- ./zcl trace --summary -o /dev/null -- "$BW" send "$F" "$PORT" ;;
	exact) set -- ./zcl trace --exact --summary -o /dev/null -- "$BW" send "$F" "$PORT" ;;
	strace) set -- taskset -c 0 strace -f -e trace=read,write -o /dev/null "$BW" send "$F" "$PORT" ;;
	esac
	times >"$TMP/times0"
	t0=$(date +%s%N)
	"$@" >/dev/null 2>"$TMP/send.err"
	rc=$?
	t1=$(date +%s%N)
	times >"$TMP/times1"
	if [ "$rc" -ne 0 ]; then
		echo "bench_tracer: round $r: $* exited with status $rc:" >&2
		sed 's/^/  /' "$TMP/send.err" >&2
		exit 1
	fi
	wait "$DRAIN_PID"
	rc=$?
	DRAIN_PID=
	[ "$rc" -eq 0 ] || fail "round $r: the receiver exited with status $rc: $(cat "$TMP/drain.err")"
	NS=$((t1 - t0))
	echo "$NS" >>"$TMP/ns.$variant"
	echo $(($(child_cpu_ms "$TMP/times1") - $(child_cpu_ms "$TMP/times0"))) >>"$TMP/cpu.$variant"
}

# median VARIANT [ns|cpu]
median() {
	sort -n "$TMP/${2:-ns}.$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

ms() {
	awk -v ns="$1" 'BEGIN { printf "%.1f", ns / 1e6 }'
}

NSYS=$((2 * ((SIZE + CHUNK - 1) / CHUNK) + 2))

echo "zcl trace against the floor: $((SIZE >> 20)) MiB to a TCP socket in $CHUNK-byte read()/write(), file warm;"
echo "  floor1/floor2 = tests/bench_floor.c one/two (one seccomp stop per call; plus its exit stop),"
echo "  pinned as zcl pins; median of $ROUNDS interleaved rounds; the receiver runs untraced"
echo

r=1
while [ "$r" -le "$ROUNDS" ]; do
	line=$(printf 'round %d/%d' "$r" "$ROUNDS")
	for v in $VARIANTS; do
		run_round "$v"
		line=$(printf '%s  %s %s' "$line" "$v" "$(ms "$NS")")
	done
	echo "$line ms"
	r=$((r + 1))
done

MU=$(median untraced)
M1=$(median floor1)
MZ=$(median zcl)
M2=$(median floor2)
MX=$(median exact)

echo
echo "median wall time, and cost per traced call = (median - untraced) / $NSYS"
awk -v u="$MU" -v f1="$M1" -v z="$MZ" -v f2="$M2" -v x="$MX" -v n="$NSYS" -v t="$TARGET" 'BEGIN {
	printf "  %-26s %8.1f ms\n", "untraced", u / 1e6
	printf "  %-26s %8.1f ms  %5.2f µs/call\n", "floor, one stop", f1 / 1e6, (f1 - u) / n / 1000
	printf "  %-26s %8.1f ms  %5.2f µs/call\n", "zcl trace", z / 1e6, (z - u) / n / 1000
	printf "  %-26s %8.1f ms  %5.2f µs/call\n", "floor, two stops", f2 / 1e6, (f2 - u) / n / 1000
	printf "  %-26s %8.1f ms  %5.2f µs/call\n", "zcl trace --exact", x / 1e6, (x - u) / n / 1000
}'
if [ -s "$TMP/ns.strace" ]; then
	awk -v u="$MU" -v z="$MZ" -v s="$(median strace)" -v n="$NSYS" 'BEGIN {
		printf "  %-26s %8.1f ms  %5.2f µs/call   (zcl trace / strace -f, both pinned: %.2f)\n",
			"strace -f, pinned", s / 1e6, (s - u) / n / 1000, z / s
	}'
fi
awk -v f1="$M1" -v z="$MZ" -v f2="$M2" -v x="$MX" -v t="$TARGET" 'BEGIN {
	printf "\nzcl trace / floor one stop           %.2f   (target <= %s)  %s\n", z / f1, t, z / f1 <= t ? "PASS" : "MISS"
	printf "zcl trace --exact / floor two stops  %.2f   (target <= %s)  %s\n", x / f2, t, x / f2 <= t ? "PASS" : "MISS"
}'
CU=$(median untraced cpu)
C1=$(median floor1 cpu)
CZ=$(median zcl cpu)
C2=$(median floor2 cpu)
CX=$(median exact cpu)
echo
echo "median CPU time (user + system, tracer and program; the receiver not included)"
awk -v u="$CU" -v f1="$C1" -v z="$CZ" -v f2="$C2" -v x="$CX" 'BEGIN {
	printf "  untraced %d ms, floor one stop %d ms, zcl trace %d ms, floor two stops %d ms, zcl --exact %d ms\n",
		u, f1, z, f2, x
	if (f1 > 0 && f2 > 0)
		printf "  zcl / floor one stop %.2f, zcl --exact / floor two stops %.2f\n", z / f1, x / f2
}'
