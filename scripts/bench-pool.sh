#!/usr/bin/env bash
# bench-pool.sh runs the strategy micro-benchmarks (BenchmarkPool and
# BenchmarkLimiter in ./strategies) COUNT times (default 10) and writes
# results/pool-<date>-<commit>/:
#   raw.txt        the go test output, headed by key: value lines (goos, goarch
#                  and cpu come from go test; go-version, gomaxprocs, commit,
#                  date and the command are added), the input benchstat reads
#   benchstat.txt  benchstat -col /strategy: every strategy side by side
#   vs-pond.txt    chan-pool and mutex-queue against pond
#   vs-ants.txt    chan-pool and mutex-queue against ants
#   vs-mutex-queue.txt  codel, adaptive-lifo and codel-lifo against the ring
#                  they manage: what queue management costs at normal load
# Ratios in the last three are "vs base" deltas: -60% is a ratio of 0.4.
#
# usage: COUNT=10 scripts/bench-pool.sh   (COUNT interleaved runs; BENCHTIME=100ms shortens each)
#
# The benchmarks keep every core busy for several minutes; run them on an
# otherwise idle machine, or read the ± columns before trusting a ratio.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

count="${COUNT:-10}"
commit="$(git rev-parse --short HEAD)"
out="results/pool-$(date -u +%Y-%m-%d)-$commit"
mkdir -p "$out"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/bench-pool.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/gomaxprocs.go" <<'EOF'
package main

import (
	"fmt"
	"runtime"
)

func main() { fmt.Println(runtime.GOMAXPROCS(0)) }
EOF
gomaxprocs="$(go run "$tmp/gomaxprocs.go")"

# The repetitions are interleaved (COUNT runs of -count 1) so that every
# strategy meets the same drift in machine conditions, rather than one
# strategy's ten runs all falling in a slow minute.
cmd=(go test -run '^$' -bench 'BenchmarkPool|BenchmarkLimiter' -count 1)
if [[ -n "${BENCHTIME:-}" ]]; then
	cmd+=(-benchtime "$BENCHTIME")
fi
cmd+=(./strategies/)
echo "bench-pool: ${cmd[*]} > $out/raw.txt" >&2
{
	echo "go-version: $(go env GOVERSION)"
	echo "gomaxprocs: $gomaxprocs"
	echo "commit: $(git rev-parse HEAD)"
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "command: ${cmd[*]} (run $count times)"
	for i in $(seq "$count"); do
		echo "bench-pool: run $i/$count" >&2
		"${cmd[@]}"
	done
} >"$out/raw.txt"

go tool benchstat -col /strategy "$out/raw.txt" >"$out/benchstat.txt"
go tool benchstat -col '/strategy@(pond chan-pool mutex-queue)' "$out/raw.txt" >"$out/vs-pond.txt"
go tool benchstat -col '/strategy@(ants chan-pool mutex-queue)' "$out/raw.txt" >"$out/vs-ants.txt"
go tool benchstat -col '/strategy@(mutex-queue codel adaptive-lifo codel-lifo)' "$out/raw.txt" >"$out/vs-mutex-queue.txt"
echo "bench-pool: wrote $out" >&2
