#!/usr/bin/env bash
# soak.sh runs the server's soak test: mixed load for a long time (polite
# pipelining clients beside clients that vanish mid-batch, read slowly,
# never read, send broken frames and bombs, trickle or idle), asserting
# that goroutines, descriptors and the live heap stay flat and that no
# request of a well-behaved client goes unanswered. See TestSoak in
# core/soak_test.go.
#
# usage: scripts/soak.sh [DURATION]
#
#   DURATION     how long the load runs: hours, minutes and seconds such
#                as 30s, 10m or 1h30m (default 10m; CI runs 30s)
#
# environment:
#   POOL=chan-pool   pool strategy the server runs (go run ./cmd/server -list)
#   RACE=1           build with the race detector (RACE=0 to leave it out)
#
# The test logs a sample of the process every 30 s and its verdict at the
# end; the exit status is go test's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

duration="${1:-10m}"
pool="${POOL:-chan-pool}"
race=()
if [[ "${RACE:-1}" != 0 ]]; then
	race=(-race)
fi
# go test's own timeout must outlast the load plus the drain that follows.
secs=0
rest="$duration"
while [[ $rest =~ ^([0-9]+)(h|m|s)(.*)$ ]]; do
	n=${BASH_REMATCH[1]}
	rest=${BASH_REMATCH[3]}
	case ${BASH_REMATCH[2]} in
	h) secs=$((secs + n * 3600)) ;;
	m) secs=$((secs + n * 60)) ;;
	s) secs=$((secs + n)) ;;
	esac
done
if [[ -n $rest || $secs -eq 0 ]]; then
	echo "soak: bad duration \"$duration\" (want e.g. 30s, 10m, 1h30m)" >&2
	exit 2
fi
timeout=$((secs + 300))s

exec go test "${race[@]}" -count=1 -timeout "$timeout" -run '^TestSoak$' -v ./core \
	-soak "$duration" -soak-pool "$pool"
