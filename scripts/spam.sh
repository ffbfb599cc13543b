#!/usr/bin/env bash
# spam.sh launches many tcpimg clients at once against one server and prints
# what they got, in aggregate.
#
# usage: scripts/spam.sh [-addr HOST:PORT] [-- client flags...]
#
#   -addr HOST:PORT  use the server listening there; when nothing listens
#                    there, start one on that address. Without -addr (or
#                    ADDR=), a server is started on a free local port.
#   -- FLAGS         further flags for every client, after the defaults
#                    below (a later flag wins: -- -busy-ok=false restores
#                    the client's strict exit status)
#
# environment:
#   N=70             clients launched at once
#   ADDR=            same as -addr
#   SERVER_FLAGS=    extra flags for the server this script starts
#
# Each client sends the batch in testdata/images with
#   -conns 1 -quiet -busy-ok -timeout 2m
# The server's default admission policy answers BUSY when its queue is full,
# which a burst of 70 clients is meant to provoke: that is load shedding
# working, so BUSY does not fail a client here (-busy-ok); the clients retry
# BUSY within their budget (see the client's -retries and -retry-budget),
# and the aggregate counts those retries. Any other status,
# a missing response or a client error does, and makes this script exit 1.
#
# Both binaries are built once into a temporary folder; everything started
# here (server, clients, temporary files) is stopped and removed on exit.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

n="${N:-70}"
addr="${ADDR:-}"
client_args=()
while (($# > 0)); do
	case "$1" in
	-addr | --addr)
		(($# >= 2)) || { echo "spam: $1 needs HOST:PORT" >&2; exit 2; }
		addr="$2"
		shift 2
		;;
	-addr=* | --addr=*)
		addr="${1#*=}"
		shift
		;;
	--)
		shift
		client_args=("$@")
		break
		;;
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "spam: unknown argument $1 (client flags go after --)" >&2
		exit 2
		;;
	esac
done
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "spam: N=$n: want a positive number" >&2; exit 2; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/spam.XXXXXX")"
server_pid=""
client_pids=()

cleanup() {
	local status=$?
	trap - EXIT INT TERM
	for pid in "${client_pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${client_pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [[ -n "$server_pid" ]]; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# listening HOST:PORT succeeds when something accepts connections there.
listening() {
	local host="${1%:*}" port="${1##*:}"
	host="${host#[}"
	host="${host%]}"
	[[ -n "$host" && "$host" != "0.0.0.0" && "$host" != "::" ]] || host=127.0.0.1
	(exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

echo "spam: building server and client" >&2
go build -o "$tmp/server" ./cmd/server
go build -o "$tmp/client" ./cmd/client

started=""
if [[ -n "$addr" ]] && listening "$addr"; then
	echo "spam: using the server at $addr" >&2
else
	listen="${addr:-127.0.0.1:0}"
	# shellcheck disable=SC2086 # SERVER_FLAGS is a list of flags
	"$tmp/server" -addr "$listen" ${SERVER_FLAGS:-} >"$tmp/server.log" 2>&1 &
	server_pid=$!
	started=" (started here)"
	# The server logs the address it listens on; with port 0 that is the
	# only way to learn the port.
	for _ in $(seq 100); do
		if ! kill -0 "$server_pid" 2>/dev/null; then
			echo "spam: the server exited:" >&2
			cat "$tmp/server.log" >&2
			server_pid=""
			exit 1
		fi
		if [[ -z "$addr" ]]; then
			addr="$(grep -Eo '127\.0\.0\.1:[0-9]+' "$tmp/server.log" | grep -v ':0$' | head -n 1 || true)"
		fi
		if [[ -n "$addr" ]] && listening "$addr"; then
			break
		fi
		sleep 0.1
	done
	if [[ -z "$addr" ]] || ! listening "$addr"; then
		echo "spam: the server did not start listening; its log:" >&2
		cat "$tmp/server.log" >&2
		exit 1
	fi
fi

echo "spam: $n clients against $addr$started" >&2
start_ns="$(date +%s%N)"
for i in $(seq "$n"); do
	"$tmp/client" -addr "$addr" -conns 1 -quiet -busy-ok -timeout 2m "${client_args[@]}" \
		>"$tmp/client.$i.out" 2>"$tmp/client.$i.err" &
	client_pids+=("$!")
done
failed=()
for i in "${!client_pids[@]}"; do
	if ! wait "${client_pids[$i]}"; then
		failed+=("$((i + 1))")
	fi
done
client_pids=()
end_ns="$(date +%s%N)"

cat "$tmp"/client.*.out | awk -v clients="$n" -v failed="${#failed[@]}" \
	-v ms="$(((end_ns - start_ns) / 1000000))" '
	$1 == "summary" {
		lines++
		for (i = 2; i <= NF; i++) {
			split($i, kv, "=")
			sum[kv[1]] += kv[2]
			if (kv[1] == "p99_ms" && kv[2] > p99) p99 = kv[2]
		}
	}
	END {
		secs = ms / 1000
		rate = 0
		if (secs > 0) rate = sum["ok"] / secs
		printf "spam: clients ok %d/%d (%d summaries), jobs %d, OK %d, BUSY %d, errors %d, missing %d, unsent %d, retries %d\n",
			clients - failed, clients, lines, sum["jobs"], sum["ok"], sum["busy"], sum["errors"], sum["missing"], sum["unsent"], sum["retries"]
		printf "spam: %.1f OK images/s over %.2f s, worst client p99 %.3f ms\n", rate, secs, p99
	}'

if ((${#failed[@]} > 0)); then
	echo "spam: ${#failed[@]} clients failed; the first ones said:" >&2
	for i in "${failed[@]:0:5}"; do
		echo "  client $i: $(tail -n 3 "$tmp/client.$i.err" | tr '\n' ' ')" >&2
	done
	if [[ -n "$server_pid" ]]; then
		echo "spam: the server's last log lines:" >&2
		tail -n 5 "$tmp/server.log" >&2
	fi
	exit 1
fi
