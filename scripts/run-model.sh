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
[[ $count =~ ^[1-9][0-9]*$ ]] || { echo "run-model: COUNT=$count is not a positive number" >&2; exit 2; }

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
total=$((${#scenarios[@]} * 2 * count))

results_header "$count" "$scale" >"$out/raw.txt"
: >"$out/conditions.txt"

echo "run-model: ${#scenarios[@]} scenarios x 2 strategies x $count repetitions into $out" >&2
done_runs=0
failed=0
start=$SECONDS
for ((rep = 0; rep < count; rep++)); do
	echo "rep $rep: load average $(load_average)" >>"$out/conditions.txt"
	# A run that fails its check (a BUSY answer, a load past saturation)
	# fails the benchmark, but the series goes on: model.txt marks the cell.
	if ! "$tmp/harness.test" -test.run '^$' -test.bench '^BenchmarkModel$' \
		-test.benchtime 1x -test.count 1 -test.timeout 0 \
		-harness.records "$out/records" -harness.rep "$rep" -harness.scale "$scale" 2>&1 |
		while IFS= read -r line; do
			printf '%s\n' "$line" >>"$out/raw.txt"
			case $line in
			BenchmarkModel/*)
				done_runs=$((done_runs + 1))
				cell=${line%%[[:space:]]*}
				echo "[$done_runs/$total] rep $((rep + 1))/$count ${cell#BenchmarkModel/} $((SECONDS - start))s elapsed" >&2
				;;
			"--- FAIL"* | FAIL* | panic:* | *_test.go:[0-9]*)
				echo "$line" >&2
				;;
			esac
		done; then
		failed=1
	fi
done
echo "rep end: load average $(load_average)" >>"$out/conditions.txt"

echo "run-model: benchstat" >&2
stat=(go tool benchstat -col "/strategy@(chan-pool mutex-queue)" -row /scenario)
"${stat[@]}" "$out/raw.txt" >"$out/benchstat.txt"
for unit in wait-vs-model little-vs-model; do
	"${stat[@]}" -filter ".unit:$unit" "$out/raw.txt" >"$out/benchstat-$unit.txt"
done

status=$failed
"$tmp/loadgen" model -in "$out" >"$out/model.txt" || status=1
cat "$out/model.txt"
echo "run-model: done in $((SECONDS - start))s: $out" >&2
exit "$status"
