#!/usr/bin/env bash
# run-model.sh checks the harness against queueing theory: it runs the
# model family (Poisson arrivals on two workers that SLEEP, see
# harness/catalog_model.go) against chan-pool and mutex-queue, and pools
# the repetitions into one verdict per scenario and strategy.
#
# usage: scripts/run-model.sh
#
# environment:
#   COUNT=N   N repetitions (default 6: what the family's lengths are sized
#             for, a pooled 95% interval within the tolerance)
#   SCALE=F   multiply every scenario's warm-up and length by F; below 1
#             the intervals widen (a verdict of WIDE says so)
#   OUT=DIR   results folder (default results/model-<date>-<short commit>);
#             it must not hold a raw.txt already
#   ONLY=RE   run only the scenarios whose whole names match the regular
#             expression RE (no anchors: they are added)
#   FIRST=N   number the repetitions from N (default 0): more repetitions
#             of an earlier run draw seeds of their own
#   POOL_WITH=DIR  also pool the records of DIR, an earlier run of the
#             family with the repetitions before FIRST, into model.txt,
#             so that more repetitions can narrow a verdict of WIDE
#
# Each repetition runs the whole family in a fresh process, and draws its
# own arrivals and service times (the seed is the repetition's number).
# The folder gets:
#   raw.txt         the benchmark output of every run, after "key: value"
#                   lines describing the machine, Go and the commit
#   benchstat.txt   benchstat -col /strategy -row /scenario, every metric
#   benchstat-wait-vs-model.txt, benchstat-little-vs-model.txt  the checks
#   records/        every run as JSON, its model fit included
#   model.txt       the pooled verdicts (loadgen model)
#   conditions.txt  the machine's load average before every repetition
#
# The default takes about 70 minutes on two cores. The load of other
# processes shows in the waits (a SLEEP that wakes late is a longer
# service), so run it on a quiet machine and keep conditions.txt with it.
set -euo pipefail
shopt -s lastpipe

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/results.sh
. scripts/results.sh

count=${COUNT:-6}
scale=${SCALE:-1}
first=${FIRST:-0}
[[ $count =~ ^[1-9][0-9]*$ ]] || { echo "run-model: COUNT=$count is not a positive number" >&2; exit 2; }
[[ $first =~ ^[0-9]+$ ]] || { echo "run-model: FIRST=$first is not a number" >&2; exit 2; }
if [[ -n ${POOL_WITH:-} && ! -d ${POOL_WITH}/records ]]; then
	echo "run-model: POOL_WITH=$POOL_WITH holds no records folder" >&2
	exit 2
fi

results_folder run-model "results/model-$(date -u +%Y-%m-%d)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "run-model: building" >&2
go build -o "$tmp/loadgen" ./cmd/loadgen
go test -c -o "$tmp/harness.test" ./harness

# The model scenarios, as loadgen -list prints them; two strategies each
# (harness.ModelStrategies).
"$tmp/loadgen" -list >"$tmp/list"
mapfile -t scenarios < <(awk '/^MODEL SCENARIO/ { m = 1; next } m && NF == 0 { exit } m { print $1 }' "$tmp/list")
only_scenarios run-model
total=$((${#scenarios[@]} * 2 * count))

results_header "$count" "$scale" >"$out/raw.txt"
{
	[[ $first == 0 ]] || echo "first-repetition: $first"
	[[ -z ${ONLY:-} ]] || echo "scenarios: $ONLY"
	[[ -z ${POOL_WITH:-} ]] || echo "pooled-with: $POOL_WITH"
} >>"$out/raw.txt"
: >"$out/conditions.txt"

echo "run-model: ${#scenarios[@]} scenarios x 2 strategies x $count repetitions into $out" >&2
start=$SECONDS
# A run that fails its check (a BUSY answer, a load past saturation)
# fails the benchmark, but the series goes on: model.txt marks the cell.
run_benchmark run-model BenchmarkModel "${ONLY:-}"

echo "run-model: benchstat" >&2
stat=(go tool benchstat -col "/strategy@(chan-pool mutex-queue)" -row /scenario)
"${stat[@]}" "$out/raw.txt" >"$out/benchstat.txt"
for unit in wait-vs-model little-vs-model; do
	"${stat[@]}" -filter ".unit:$unit" "$out/raw.txt" >"$out/benchstat-$unit.txt"
done

status=$failed
pooled=(-in "$out")
[[ -z ${POOL_WITH:-} ]] || pooled+=(-in "$POOL_WITH")
"$tmp/loadgen" model "${pooled[@]}" >"$out/model.txt" || status=1
cat "$out/model.txt"
echo "run-model: done in $((SECONDS - start))s: $out" >&2
exit "$status"
