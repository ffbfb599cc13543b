#!/usr/bin/env bash
# bench-core.sh runs the server's own benchmarks in ./core COUNT times
# (default 10) and writes results/core-<date>-<commit>/:
#   raw.txt         the go test output, headed by key: value lines
#   overhead.txt    BenchmarkServerOverhead: 2 ms SPIN jobs on 2 workers,
#                   64 in flight; efficiency = jobs/s over the 1,000/s ideal
#   transport.txt   BenchmarkTransport: 64 KiB NOOP round trips through the
#                   server against a minimal framed echo server (-col /server)
#   jobs.txt        BenchmarkJob: each image operation per input size,
#                   decode + operation + encode, with allocations
#
# usage: COUNT=10 scripts/bench-core.sh   (OVERHEADTIME, TRANSPORTTIME, JOBTIME set -benchtime)
#
# The benchmarks keep both cores busy; run them on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

count="${COUNT:-10}"
commit="$(git rev-parse --short HEAD)"
out="results/core-$(date -u +%Y-%m-%d)-$commit"
mkdir -p "$out"

# Each benchmark gets its own -benchtime: enough SPIN jobs for a steady
# rate, enough transport round trips (20,000) that connection set-up and
# buffer-pool warm-up do not dominate, and a few runs of each image job.
runs=(
	"BenchmarkServerOverhead ${OVERHEADTIME:-2000x}"
	"BenchmarkTransport ${TRANSPORTTIME:-20000x}"
	"BenchmarkJob ${JOBTIME:-20x}"
)
echo "bench-core: writing $out/raw.txt" >&2
{
	echo "go-version: $(go env GOVERSION)"
	echo "gomaxprocs: $(nproc)"
	echo "commit: $(git rev-parse HEAD)"
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	for r in "${runs[@]}"; do
		read -r name benchtime <<<"$r"
		cmd=(go test -run '^$' -bench "^$name\$" -benchtime "$benchtime" -count "$count" ./core/)
		echo "command: ${cmd[*]}"
		"${cmd[@]}"
	done
} >"$out/raw.txt"

go tool benchstat -filter '.name:ServerOverhead' "$out/raw.txt" >"$out/overhead.txt"
go tool benchstat -filter '.name:Transport' -col /server "$out/raw.txt" >"$out/transport.txt"
go tool benchstat -filter '.name:Job' "$out/raw.txt" >"$out/jobs.txt"
echo "bench-core: wrote $out" >&2
