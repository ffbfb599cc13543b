#!/usr/bin/env bash
# run-overload.sh runs the overload family (harness/catalog_overload.go):
# clients that give up after a timeout, with and without the deadline in
# the request, and clients that retry through a spike (retry-storm, at
# once or with backoff, jitter and a budget), each with the server's
# default queue of 256 and with 64, against chan-pool, codel,
# adaptive-lifo, codel-lifo, demand-lifo, and chan-pool behind each admission limit
# (chan-pool+aimd, chan-pool+gradient, chan-pool+failsafe), and compares
# them with benchstat.
#
# usage: scripts/run-overload.sh
#
# environment:
#   COUNT=N   N repetitions (default 5; benchstat needs 4 or more to call
#             a difference significant)
#   SCALE=F   multiply every scenario's warm-up and length by F
#   OUT=DIR   results folder (default results/overload-<date>-<short
#             commit>); it must not hold a raw.txt already
#   ONLY=RE   run only the scenarios whose whole names match the regular
#             expression RE (no anchors: they are added); ONLY='.*-q256'
#             runs them with the server's default queue alone, as people
#             deploy it, in half the time
#
# Each repetition runs the whole family in a fresh process
# (BenchmarkOverload), which measures the capacity again before every open
# loop, as the matrix does; repetition N starts every scenario at the Nth
# strategy. The folder gets:
#   raw.txt         the benchmark output of every run, after "key: value"
#                   lines describing the machine, Go and the commit
#   benchstat.txt   benchstat -col /strategy -row /scenario, every metric
#   benchstat-METRIC.txt  one metric per file: goodput-in-time-per-s,
#                   wasted-work, retries-per-op, recovery-s, recovered...
#   shift-*.txt     goodput in time and p99 as ratios to chan-pool, with
#                   95% intervals (loadgen shift; *-paired.txt: repetition
#                   by repetition)
#   index.html      the report page (loadgen report)
#   capacity.txt    the capacity of each repetition, measured before
#                   every open loop (see run-matrix.sh)
#   records/        every run as JSON: the window's bins, answers in time
#                   per bin, the recovery
#   conditions.txt  the machine's load average before every repetition
#
# The runs' own lengths add up to about nine minutes a repetition (8
# scenarios x 8 strategies; a retry storm lasts 14 s, an overload-deadline
# run about 3 s); the drain after each run and the calibration add to
# that. Other processes' load shows in every figure, so run it on a quiet
# machine and keep conditions.txt with the results.
set -euo pipefail
shopt -s lastpipe

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/results.sh
. scripts/results.sh

count=${COUNT:-5}
scale=${SCALE:-1}
[[ $count =~ ^[1-9][0-9]*$ ]] || { echo "run-overload: COUNT=$count is not a positive number" >&2; exit 2; }

results_folder run-overload "results/overload-$(date -u +%Y-%m-%d)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "run-overload: building" >&2
go build -o "$tmp/loadgen" ./cmd/loadgen
go test -c -o "$tmp/harness.test" ./harness
isolation

"$tmp/loadgen" -list >"$tmp/list"
mapfile -t scenarios < <(awk '/^OVERLOAD SCENARIO/ { m = 1; next } m && NF == 0 { exit } m { print $1 }' "$tmp/list")
only_scenarios run-overload

results_header "$count" "$scale" >"$out/raw.txt"
[[ -z ${ONLY:-} ]] || echo "scenarios: $ONLY" >>"$out/raw.txt"
: >"$out/conditions.txt"

echo "run-overload: ${#scenarios[@]} scenarios x $count repetitions into $out" >&2
start=$SECONDS
bench_flags=(-harness.capacity "$out/capacity.txt" -harness.fresh-capacity)
run_benchmark run-overload BenchmarkOverload "${ONLY:-}"
capacity_summary

echo "run-overload: benchstat" >&2
# The strategies in the order of the first repetition, which starts at
# the first of harness.OverloadStrategies, the baseline.
order=$(awk -F'strategy=' '/^BenchmarkOverload\// { split($2, a, /[ \t]/); s = a[1]; sub(/-[0-9]+$/, "", s); if (!seen[s]++) printf "%s ", s }' "$out/raw.txt")
benchstat_tables BenchmarkOverload "${order% }"
"$tmp/loadgen" shift -in "$out" -unit goodput-in-time/s >"$out/shift-goodput-in-time-per-s.txt"
"$tmp/loadgen" shift -in "$out" -unit p99-ns >"$out/shift-p99-ns.txt"
"$tmp/loadgen" shift -in "$out" -unit goodput-in-time/s -paired >"$out/shift-goodput-in-time-per-s-paired.txt"
"$tmp/loadgen" shift -in "$out" -unit p99-ns -paired >"$out/shift-p99-ns-paired.txt"
"$tmp/loadgen" report -in "$out" >/dev/null

echo "run-overload: done in $((SECONDS - start))s: $out" >&2
exit "$failed"
