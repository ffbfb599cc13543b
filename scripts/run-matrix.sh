#!/usr/bin/env bash
# run-matrix.sh runs every load scenario against every pool strategy over
# loopback, compares the strategies with benchstat and draws the results.
#
# usage: scripts/run-matrix.sh
#
# environment:
#   FULL=1    10 repetitions instead of the quick 5
#   COUNT=N   N repetitions (overrides FULL; benchstat needs 4 or more to
#             call any difference significant, 6 or more for a confidence
#             interval)
#   SCALE=F   multiply every scenario's warm-up and length by F: more
#             samples per run, F times the time
#   OUT=DIR   results folder (default results/<date>-<short commit>); it
#             must not hold a raw.txt already
#   INPROCESS=1  run each server in the benchmark's own process, sharing
#             its CPUs, instead of isolated
#
# By default each run's server is a process of its own (cmd/server), on
# the first half of the CPUs with as many workers, and the load generator
# runs on the other half: in one process the generator takes the server's
# CPU, and more of it the more load it offers, so goodput falling with
# load would mix the strategy with the generator's appetite. Each run
# reports both processes' CPU time per OK job, and the server's own peak
# heap, peak goroutines and leaks, read from its admin listener.
#
# Each repetition runs the whole matrix in a fresh process (go test -count 1,
# one after another), so that every strategy meets the same machine
# conditions. The capacity is measured again before every open loop
# (-harness.fresh-capacity): the server's speed drifts by a third over
# seconds to minutes on a shared machine, so each open-N runs at the
# median of the three latest calibration runs, seconds old. Each process
# makes one unmeasured warm-up run first, and repetition N starts every
# scenario at the Nth strategy (see BenchmarkScenario). The folder gets:
#   raw.txt         the benchmark output of every run, after "key: value"
#                   lines describing the machine, Go and the commit
#   benchstat.txt   benchstat -col /strategy -row /scenario: a table per
#                   metric, every strategy against chan-pool (the default)
#   benchstat-METRIC.txt  the same, one metric per file
#   shift-p99-ns.txt, shift-goodput-per-s.txt  every strategy's ratio to
#                   chan-pool with its 95% interval (loadgen shift);
#                   shift-*-paired.txt the same, repetition by repetition
#                   (loadgen shift -paired)
#   records/        every run as JSON, HDR histograms included
#   *.svg, *.png    the plots (see harness/plot)
#   conditions.txt  the machine's load average before every repetition
#   capacity.txt    each repetition's capacity (the median of all its
#                   calibration runs), their spread and count; raw.txt
#                   ends with a "capacity:" line summing them up, and
#                   benchstat-capacity-per-s.txt has the capacity behind
#                   every open-loop cell
#
# Quick mode takes about 26 minutes on two quiet cores (FULL=1 about 50):
# open-50 and open-90 measure 8 s each, so that their p99 rests on about
# ten answers (see harness/catalog.go).
# Only Go is needed: benchstat is a tool of the module (go tool benchstat).
set -euo pipefail
shopt -s lastpipe

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/results.sh
. scripts/results.sh

if [[ -n ${COUNT:-} ]]; then
	count=$COUNT
elif [[ ${FULL:-} == 1 ]]; then
	count=10
else
	count=5
fi
scale=${SCALE:-1}
[[ $count =~ ^[1-9][0-9]*$ ]] || { echo "run-matrix: COUNT=$count is not a positive number" >&2; exit 2; }

results_folder run-matrix "results/$(date -u +%Y-%m-%d)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "run-matrix: building" >&2
go build -o "$tmp/loadgen" ./cmd/loadgen
go test -c -o "$tmp/harness.test" ./harness
isolation

# The cells, as loadgen -list prints them: scenarios, a blank line, then
# the strategies.
"$tmp/loadgen" -list >"$tmp/list"
mapfile -t scenarios < <(awk 'NR > 1 && NF == 0 { exit } NR > 1 { print $1 }' "$tmp/list")
mapfile -t strategies < <(awk '/^STRATEGY/ { s = 1; next } s && NF { print $1 }' "$tmp/list")
total=$((${#scenarios[@]} * ${#strategies[@]} * count))

results_header "$count" "$scale" >"$out/raw.txt"
: >"$out/conditions.txt"

echo "run-matrix: ${#scenarios[@]} scenarios x ${#strategies[@]} strategies x $count repetitions into $out" >&2
done_runs=0
start=$SECONDS
progress() {
	local elapsed=$((SECONDS - start)) eta=0
	((done_runs > 0)) && eta=$((elapsed * (total - done_runs) / done_runs))
	local msg
	msg=$(printf '[%3d/%d] rep %d/%d %-48s %3ds elapsed, ~%ds left' \
		"$done_runs" "$total" "$((rep + 1))" "$count" "$1" "$elapsed" "$eta")
	if [[ -t 2 ]]; then
		printf '\r%s' "$msg" >&2
	else
		echo "$msg" >&2
	fi
}

for ((rep = 0; rep < count; rep++)); do
	echo "rep $rep: load average $(load_average)" >>"$out/conditions.txt"
	"$tmp/harness.test" -test.run '^$' -test.bench '^BenchmarkScenario$' \
		-test.benchtime 1x -test.count 1 -test.timeout 0 \
		-harness.records "$out/records" -harness.rep "$rep" -harness.scale "$scale" \
		-harness.capacity "$out/capacity.txt" -harness.fresh-capacity "${iso_flags[@]}" 2>&1 |
		while IFS= read -r line; do
			printf '%s\n' "$line" >>"$out/raw.txt"
			case $line in
			BenchmarkScenario/*)
				done_runs=$((done_runs + 1))
				cell=${line%%[[:space:]]*}
				cell=${cell#BenchmarkScenario/}
				progress "${cell%-[0-9]*}"
				;;
			"--- FAIL"* | FAIL* | panic:* | *_test.go:[0-9]*)
				[[ -t 2 ]] && echo >&2
				echo "$line" >&2
				;;
			esac
		done
done
[[ -t 2 ]] && echo >&2
echo "rep end: load average $(load_average)" >>"$out/conditions.txt"

capacity_summary

echo "run-matrix: benchstat" >&2
benchstat_tables BenchmarkScenario "${strategies[*]}"
# Each strategy's p99 and goodput as ratios to chan-pool's, with 95%
# intervals and whether they lie within ±10%: what "costs nothing" needs.
"$tmp/loadgen" shift -in "$out" -unit p99-ns -within 0.1 >"$out/shift-p99-ns.txt"
"$tmp/loadgen" shift -in "$out" -unit goodput/s -within 0.1 >"$out/shift-goodput-per-s.txt"
"$tmp/loadgen" shift -in "$out" -unit p99-ns -within 0.1 -paired >"$out/shift-p99-ns-paired.txt"
"$tmp/loadgen" shift -in "$out" -unit goodput/s -within 0.1 -paired >"$out/shift-goodput-per-s-paired.txt"

echo "run-matrix: plots" >&2
"$tmp/loadgen" plot -in "$out/records" -out "$out" >/dev/null
"$tmp/loadgen" report -in "$out" >/dev/null # index.html: conditions, verdict grids, plots

echo "run-matrix: done in $((SECONDS - start))s: $out" >&2
