#!/usr/bin/env bash
# bench-ab.sh measures what a server setting costs: the same scenarios
# against two configurations of the same server, A and B, each isolated on
# its own CPU with one worker, with the load generator (cmd/loadgen) pinned
# to another CPU. Every repetition starts a fresh server per configuration
# and alternates which goes first, so that the machine's drift falls on
# both alike. With BLOCKS=N both servers run at once, on the same CPU, and
# every scenario alternates between them in N blocks (A B B A ...), so that
# a drift of seconds falls on both alike too.
#
# usage: A_FLAGS='-io-procs 0' B_FLAGS='-io-procs 1' scripts/bench-ab.sh
#
# environment:
#   A_FLAGS, B_FLAGS    cmd/server flags of each configuration, besides the
#                       ones every run gets (-addr, -admin-addr, -workers 1,
#                       -queue 64, -log-format json); split on spaces
#   A_CLIENT, B_CLIENT  cmd/loadgen flags for each (e.g. TLS), split on spaces
#   A_LABEL, B_LABEL    the strategy column of each in raw.txt (default a, b)
#   NAME=N              the folder's prefix (default ab)
#   COUNT=N             repetitions (default 6: benchstat's intervals need 6)
#   SCENARIOS=S         comma-separated scenarios (default saturate,open-50,
#                       open-90; each configuration's open loops run at
#                       fractions of its own capacity, unless SAME_RATE=1)
#   SAME_RATE=1         run both configurations' open loops at the same
#                       rates: fractions of A's capacity, measured with a
#                       saturate run against A at the start of every
#                       repetition (capacity.txt). Needed when B refuses
#                       work under a closed loop, as a shedding pool does,
#                       so that its own saturate run says nothing of what
#                       it can serve
#   BLOCKS=N            interleave: start both configurations' servers at
#                       once, both on CPU 0, and run each scenario against
#                       them in N alternating blocks of its measured period
#                       (an even number; loadgen -against -blocks N), the
#                       same arrivals in both halves of a block. Needs
#                       SAME_RATE=1 and the same A_CLIENT and B_CLIENT.
#                       0 (the default): one whole run per configuration
#   OUT=DIR             results folder (default results/<NAME>-<date>-<short
#                       commit>)
#
# The folder gets raw.txt (every run, its strategy column A_LABEL or
# B_LABEL, after a "compared:" line with both configurations), benchstat.txt
# (B against A, every figure), capacity.txt (with SAME_RATE=1, the
# capacity of each repetition), shift-*-paired.txt (goodput and p99 of B as
# ratios to A's, paired by repetition, with 95% intervals), cpu.txt (per
# repetition and configuration, the server's CPU time from /proc over all
# its runs, and the jobs it completed, read from its admin listener) and
# cpu-summary.txt (the median server CPU per OK job of each, and their
# ratio), and loadgen.log (the load generator's messages, which say why
# a run failed). It needs taskset and two CPUs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/results.sh
. scripts/results.sh

name=${NAME:-ab}
count=${COUNT:-6}
scenarios=${SCENARIOS:-saturate,open-50,open-90}
labels=("${A_LABEL:-a}" "${B_LABEL:-b}")
read -ra flags_a <<<"${A_FLAGS:-}"
read -ra flags_b <<<"${B_FLAGS:-}"
read -ra client_a <<<"${A_CLIENT:-}"
read -ra client_b <<<"${B_CLIENT:-}"
[[ $count =~ ^[1-9][0-9]*$ ]] || { echo "bench-ab: COUNT=$count is not a positive number" >&2; exit 2; }
[[ ${SAME_RATE:-0} =~ ^[01]$ ]] || { echo "bench-ab: SAME_RATE=$SAME_RATE is not 0 or 1" >&2; exit 2; }
blocks=${BLOCKS:-0}
[[ $blocks =~ ^[0-9]+$ ]] && ((blocks == 0 || (blocks >= 2 && blocks % 2 == 0))) ||
	{ echo "bench-ab: BLOCKS=$blocks is not 0 or an even number of at least 2" >&2; exit 2; }
((blocks == 0)) || [[ ${SAME_RATE:-0} == 1 && ${A_CLIENT:-} == "${B_CLIENT:-}" ]] ||
	{ echo "bench-ab: BLOCKS needs SAME_RATE=1 and the same A_CLIENT and B_CLIENT: one load generator loads both" >&2; exit 2; }
# loadgen takes a saturate run's goodput as the capacity of the open loops
# after it, whatever -capacity said.
[[ ${SAME_RATE:-0} == 0 || ,$scenarios, != *,saturate,* ]] ||
	{ echo "bench-ab: SAME_RATE=1 measures A's capacity itself; leave saturate out of SCENARIOS" >&2; exit 2; }
[[ ${labels[0]} != "${labels[1]}" && ${labels[0]}${labels[1]} =~ ^[A-Za-z0-9.+-]+$ ]] ||
	{ echo "bench-ab: A_LABEL and B_LABEL must differ, in letters, digits, '.', '+' or '-'" >&2; exit 2; }
[[ ${A_FLAGS:-}${A_CLIENT:-} != "${B_FLAGS:-}${B_CLIENT:-}" ]] ||
	{ echo "bench-ab: A and B are the same configuration; set A_FLAGS or B_FLAGS" >&2; exit 2; }
command -v taskset >/dev/null || { echo "bench-ab: taskset is needed" >&2; exit 2; }
(($(getconf _NPROCESSORS_ONLN) >= 2)) || { echo "bench-ab: two CPUs are needed, one for each side" >&2; exit 2; }

results_folder "bench-ab" "results/$name-$(date -u +%Y-%m-%d)"
tmp=$(mktemp -d)
server_pids=("" "")
addrs=("" "")
admins=("" "")
cleanup() {
	# A server that already exited makes kill fail; the others must
	# still be stopped.
	for pid in "${server_pids[@]}"; do
		[[ -z $pid ]] || kill "$pid" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "bench-ab: building" >&2
go build -o "$tmp/server" ./cmd/server
go build -o "$tmp/loadgen" ./cmd/loadgen


# serve I starts the server of configuration I (0 for A, 1 for B) and sets
# server_pids[I], addrs[I] and admins[I].
serve() {
	local i=$1 log=$tmp/server-$1.log addr= admin=
	local flags=(-addr 127.0.0.1:0 -admin-addr 127.0.0.1:0 -workers 1 -queue 64 -log-format json)
	if ((i == 0)); then flags+=("${flags_a[@]}"); else flags+=("${flags_b[@]}"); fi
	GOMAXPROCS=1 taskset -c 0 "$tmp/server" "${flags[@]}" 2>"$log" &
	server_pids[i]=$!
	for _ in $(seq 100); do
		addr=$(sed -n 's/.*"msg":"listening","addr":"\([^"]*\)".*/\1/p' "$log")
		admin=$(sed -n 's/.*"msg":"admin","addr":"\([^"]*\)".*/\1/p' "$log")
		if [[ -n $addr && -n $admin ]]; then
			addrs[i]=$addr admins[i]=$admin
			return
		fi
		kill -0 "${server_pids[i]}" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench-ab: the ${labels[i]} server did not start:" >&2
	cat "$log" >&2
	[[ -e $out/raw.txt ]] || rmdir "$out" 2>/dev/null || true
	exit 1
}

# stop I stops the server of configuration I and waits for it.
stop() {
	local pid=${server_pids[$1]}
	server_pids[$1]=
	kill -TERM "$pid"
	wait "$pid" || { echo "bench-ab: the ${labels[$1]} server did not exit cleanly" >&2; exit 1; }
}

# account I appends the CPU time and the completed jobs of configuration
# I's server, before it stops, to cpu.txt.
account() {
	local cpu ok
	cpu=$(cpu_seconds "${server_pids[$1]}")
	ok=$(curl -fsS "http://${admins[$1]}/stats" | sed -n 's/^ *"Completed": *\([0-9]*\).*/\1/p' | head -1)
	echo "rep $rep mode ${labels[$1]} cpu_s $cpu ok $ok" >>"$out/cpu.txt"
}

# cpu_seconds PID prints user plus system CPU time from /proc/PID/stat.
cpu_seconds() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"
}

# Each configuration must start before the run is worth making: a flag
# the server refuses would otherwise show up only after the first
# repetition of the other, and leave a folder that looks like a run.
for i in 0 1; do
	serve "$i"
	stop "$i"
done

mode="isolated, server on CPU 0 with 1 worker, load generator on CPU 1"
results_header "$count" 1 >"$out/raw.txt"
echo "compared: ${labels[0]}: ${A_FLAGS:-(defaults)}${A_CLIENT:+ (loadgen ${A_CLIENT})}; ${labels[1]}: ${B_FLAGS:-(defaults)}${B_CLIENT:+ (loadgen ${B_CLIENT})}" >>"$out/raw.txt"
: >"$out/conditions.txt"
: >"$out/cpu.txt"
[[ ${SAME_RATE:-0} == 1 ]] && echo "rates: the open loops of both at fractions of ${labels[0]}'s capacity, measured at the start of each repetition" >>"$out/raw.txt"
((blocks == 0)) || echo "interleaved: both servers up at once on CPU 0, each scenario in $blocks blocks alternating between them, the first of each repetition's blocks to each in turn" >>"$out/raw.txt"

start=$SECONDS
for ((rep = 0; rep < count; rep++)); do
	echo "rep $rep: load average $(load_average)" >>"$out/conditions.txt"
	rate=()
	if [[ ${SAME_RATE:-0} == 1 ]]; then
		serve 0
		cap=$(taskset -c 1 "$tmp/loadgen" -target "${addrs[0]}" -scenario saturate -label "${labels[0]}" "${client_a[@]}" 2>>"$out/loadgen.log" |
			awk '/^Benchmark/ { for (i = 3; i < NF; i++) if ($(i + 1) == "goodput/s") print $i }') || true
		stop 0
		[[ $cap =~ ^[0-9.e+]+$ ]] || { echo "bench-ab: no capacity from the saturate run of repetition $rep; see $out/loadgen.log" >&2; exit 1; }
		echo "rep $rep: capacity $cap" >>"$out/capacity.txt"
		rate=(-capacity "$cap")
	fi
	order=(0 1)
	((rep % 2)) && order=(1 0)
	if ((blocks > 0)); then
		serve 0
		serve 1
		first=${order[0]} second=${order[1]}
		echo "bench-ab: rep $((rep + 1))/$count ${labels[first]} and ${labels[second]} interleaved ($((SECONDS - start))s elapsed)" >&2
		taskset -c 1 "$tmp/loadgen" -target "${addrs[first]}" -label "${labels[first]}" \
			-against "${addrs[second]}" -against-label "${labels[second]}" -blocks "$blocks" \
			-scenario "$scenarios" -rep "$rep" "${rate[@]}" "${client_a[@]}" 2>>"$out/loadgen.log" |
			grep -E '^Benchmark' >>"$out/raw.txt" ||
			{ echo "bench-ab: the load generator failed; see $out/loadgen.log" >&2; exit 1; }
		for i in 0 1; do
			account "$i"
			stop "$i"
		done
		continue
	fi
	for i in "${order[@]}"; do
		serve "$i"
		client=("${client_a[@]}")
		((i == 1)) && client=("${client_b[@]}")
		echo "bench-ab: rep $((rep + 1))/$count ${labels[i]} ($((SECONDS - start))s elapsed)" >&2
		taskset -c 1 "$tmp/loadgen" -target "${addrs[i]}" -scenario "$scenarios" -label "${labels[i]}" -rep "$rep" \
			"${rate[@]}" "${client[@]}" 2>>"$out/loadgen.log" | grep -E '^Benchmark' >>"$out/raw.txt" ||
			{ echo "bench-ab: the load generator failed against ${labels[i]}; see $out/loadgen.log" >&2; exit 1; }
		account "$i"
		stop "$i"
	done
done
echo "rep end: load average $(load_average)" >>"$out/conditions.txt"

go tool benchstat -col "/strategy@(${labels[0]} ${labels[1]})" -row /scenario "$out/raw.txt" >"$out/benchstat.txt"
"$tmp/loadgen" shift -in "$out" -baseline "${labels[0]}" -unit goodput/s -paired >"$out/shift-goodput-per-s-paired.txt"
"$tmp/loadgen" shift -in "$out" -baseline "${labels[0]}" -unit p99-ns -paired >"$out/shift-p99-ns-paired.txt"
for label in "${labels[@]}"; do
	awk -v m="$label" '$4 == m && $8 > 0 { print 1e6 * $6 / $8 }' "$out/cpu.txt" | sort -n |
		awk -v m="$label" '{ v[NR] = $1 } END { printf "%s %.1f\n", m, (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
done >"$tmp/medians"
awk -v a="${labels[0]}" -v b="${labels[1]}" '{ med[$1] = $2; printf "%-6s server CPU per OK job, median over the repetitions: %.1f us\n", $1, $2 }
	END { if (med[a] > 0) printf "%s / %s: %.3f\n", b, a, med[b] / med[a] }' "$tmp/medians" >"$out/cpu-summary.txt"
cat "$out/cpu-summary.txt" >&2
echo "bench-ab: done in $((SECONDS - start))s: $out" >&2
