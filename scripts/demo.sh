#!/usr/bin/env bash
# demo.sh builds the server and the client, starts the server on a free
# local port, sends the sample batch (testdata/images) through it, prints the
# client's summary, writes the results into demo-out/ (or $OUT), and stops the
# server gracefully.
#
# usage: scripts/demo.sh [client flags...]    e.g. scripts/demo.sh -op blur -radius 4
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tmp="$(mktemp -d "${TMPDIR:-/tmp}/demo.XXXXXX")"
server_pid=""
cleanup() {
	local status=$?
	if [[ -n "$server_pid" ]]; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		echo "demo: server log:" >&2
		sed 's/^/  /' "$tmp/server.log" >&2
	fi
	rm -rf "$tmp"
	exit "$status"
}
trap cleanup EXIT

echo "demo: building" >&2
go build -o "$tmp/server" ./cmd/server
go build -o "$tmp/client" ./cmd/client

"$tmp/server" -addr 127.0.0.1:0 >"$tmp/server.log" 2>&1 &
server_pid=$!
addr=""
for _ in $(seq 100); do
	addr="$(grep -Eo 'addr=127\.0\.0\.1:[0-9]+' "$tmp/server.log" | head -n 1 | cut -d= -f2 || true)"
	[[ -n "$addr" ]] && break
	kill -0 "$server_pid" 2>/dev/null || { echo "demo: the server exited" >&2; exit 1; }
	sleep 0.1
done
[[ -n "$addr" ]] || { echo "demo: the server did not start listening" >&2; exit 1; }

echo "demo: sending testdata/images to $addr; results in ${OUT:-demo-out}/" >&2
"$tmp/client" -addr "$addr" -dir testdata/images -out "${OUT:-demo-out}" "$@"
