#!/usr/bin/env bash
# rolling-restart.sh restarts two tcpimg instances behind HAProxy, one at a
# time, while clients keep sending work through HAProxy, and checks that no
# job failed or was lost on the way.
#
# usage: scripts/rolling-restart.sh
#
# environment:
#   CLIENTS=3        client loops sending batches through HAProxy meanwhile
#   DRAIN_DELAY=2s   each instance's -drain-delay
#   ROUNDS=1         times every instance is restarted
#   CLIENT_FLAGS=    extra flags for every client, after the defaults below
#                    (CLIENT_FLAGS="-retries 0" shows what the retries save)
#
# It installs Debian's haproxy package when haproxy is missing (as root),
# builds the server and the client, starts two instances on free loopback
# ports with -admin-addr and -drain-delay, and HAProxy with
# deploy/haproxy.cfg in front of them. Client loops run batches of SLEEP
# jobs through HAProxy the whole time. Each instance in turn gets SIGTERM:
# its /readyz turns 503, HAProxy's health check takes it out of rotation
# within half a second, it keeps serving for the drain delay, then drains
# and exits; it is started again and waited for until HAProxy has it back.
# The clients retry what a draining instance refuses (SHUTTING_DOWN) or
# loses with a closed connection, within their budget.
#
# It prints the jobs sent, answered OK, retried, failed (answered anything
# but OK) and lost (never answered, or never sent), and exits 1 unless
# failed and lost are 0 and every instance exited cleanly. Everything it
# starts is stopped on exit; it takes about 20 s.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

clients="${CLIENTS:-3}"
drain_delay="${DRAIN_DELAY:-2s}"
rounds="${ROUNDS:-1}"
[[ "$clients" =~ ^[1-9][0-9]*$ ]] || { echo "rolling-restart: CLIENTS=$clients: want a positive number" >&2; exit 2; }
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "rolling-restart: ROUNDS=$rounds: want a positive number" >&2; exit 2; }
if (($# > 0)); then
	case "$1" in
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "rolling-restart: unexpected argument $1" >&2
		exit 2
		;;
	esac
fi

if ! command -v haproxy >/dev/null; then
	if [[ "$(id -u)" != 0 ]]; then
		echo "rolling-restart: haproxy is not installed (apt-get install haproxy, as root)" >&2
		exit 1
	fi
	echo "rolling-restart: installing haproxy" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/rolling.XXXXXX")"
declare -A server_pid=()
haproxy_pid=""
client_pids=()

cleanup() {
	local status=$?
	trap - EXIT INT TERM
	touch "$tmp/stop" 2>/dev/null || true
	for pid in "${client_pids[@]}" "${server_pid[@]}" $haproxy_pid; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${client_pids[@]}" "${server_pid[@]}" $haproxy_pid; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$tmp"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "rolling-restart: $*" >&2; }

# deadline SECONDS WHAT CMD... runs CMD every 50 ms until it succeeds, or
# fails the script after SECONDS.
deadline() {
	local secs="$1" what="$2"
	shift 2
	local end=$((SECONDS + secs))
	until "$@"; do
		if ((SECONDS >= end)); then
			log "timed out after ${secs}s waiting for $what"
			return 1
		fi
		sleep 0.05
	done
}

# free_port sets REPLY to a loopback port nothing listens on and no earlier
# call chose, below the kernel's range of ephemeral ports: a port in that
# range can be taken at any time by some process's outgoing connection,
# and then neither an instance nor its restart could bind it.
ephemeral_low="$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
taken=" "
free_port() {
	local port
	while :; do
		port=$((10000 + RANDOM % (ephemeral_low - 10000)))
		if [[ "$taken" != *" $port "* ]] && ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			taken+="$port "
			REPLY="$port"
			return
		fi
	done
}

# http_status PORT PATH prints the status code of GET PATH on 127.0.0.1:PORT.
http_status() {
	local line
	{ exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
	read -r line <&3 || line=""
	exec 3<&-
	echo "$line" | awk '{print $2}'
}

ready() { [[ "$(http_status "$1" /readyz 2>/dev/null)" == 200 ]]; }

# in_rotation NAME succeeds when HAProxy has server NAME up.
in_rotation() {
	local csv
	{ exec 3<>"/dev/tcp/127.0.0.1/$stats_port"; } 2>/dev/null || return 1
	printf 'GET /stats;csv HTTP/1.0\r\n\r\n' >&3
	csv="$(cat <&3)"
	exec 3<&-
	echo "$csv" | awk -F, -v s="$1" '$1 == "tcpimg" && $2 == s && $18 == "UP" { found = 1 } END { exit !found }'
}

free_port && front_port="$REPLY"
free_port && stats_port="$REPLY"
declare -A wire_port=() admin_port=()
for s in s1 s2; do
	free_port && wire_port[$s]="$REPLY"
	free_port && admin_port[$s]="$REPLY"
done

log "building server and client"
go build -o "$tmp/server" ./cmd/server
go build -o "$tmp/client" ./cmd/client

# up S succeeds when instance S answers 200 on /readyz, and fails the
# script, with its log, when it has exited.
up() {
	if ! kill -0 "${server_pid[$1]}" 2>/dev/null; then
		log "$1 exited; its log:"
		tail -n 20 "$tmp/$1.log" >&2
		exit 1
	fi
	ready "${admin_port[$1]}"
}

start_server() {
	local s="$1"
	"$tmp/server" -addr "127.0.0.1:${wire_port[$s]}" -admin-addr "127.0.0.1:${admin_port[$s]}" \
		-drain-delay "$drain_delay" -shutdown-timeout 10s >>"$tmp/$s.log" 2>&1 &
	server_pid[$s]=$!
	deadline 10 "$s's /readyz" up "$s"
}

for s in s1 s2; do
	start_server "$s"
done

export TCPIMG_FRONT="127.0.0.1:$front_port" TCPIMG_STATS="127.0.0.1:$stats_port"
export TCPIMG_S1="127.0.0.1:${wire_port[s1]}" TCPIMG_A1="${admin_port[s1]}"
export TCPIMG_S2="127.0.0.1:${wire_port[s2]}" TCPIMG_A2="${admin_port[s2]}"
haproxy -db -f deploy/haproxy.cfg >"$tmp/haproxy.log" 2>&1 &
haproxy_pid=$!
for s in s1 s2; do
	deadline 10 "HAProxy to put $s in rotation" in_rotation "$s"
done
log "HAProxy on $TCPIMG_FRONT in front of $TCPIMG_S1 and $TCPIMG_S2 (admin ports $TCPIMG_A1, $TCPIMG_A2)"

# client_loop N runs batches through HAProxy until the stop file appears.
# A batch lasts a few seconds, longer than the drain delay, so that some
# connections are still open on an instance when it shuts down: their jobs
# are refused SHUTTING_DOWN or lost with the connection, and retried. Each
# batch keeps 2 connections with 4 jobs in flight each, so what one
# instance can refuse or lose at once stays within a batch's budget.
# shellcheck disable=SC2086 # CLIENT_FLAGS is a list of flags
client_loop() {
	local n="$1" i=0
	until [[ -e "$tmp/stop" ]]; do
		i=$((i + 1))
		if ! "$tmp/client" -addr "$TCPIMG_FRONT" -dir testdata/images -op sleep -work 2ms -repeat 300 \
			-conns 2 -inflight 4 -quiet -timeout 30s ${CLIENT_FLAGS:-} >"$tmp/client.$n.$i.out" 2>"$tmp/client.$n.$i.err"; then
			echo "$n.$i" >>"$tmp/client-failures"
		fi
	done
}
for n in $(seq "$clients"); do
	client_loop "$n" &
	client_pids+=("$!")
done

sleep 1 # traffic on both instances before the first restart
for round in $(seq "$rounds"); do
	for s in s1 s2; do
		log "round $round: SIGTERM to $s (drain delay $drain_delay)"
		kill -TERM "${server_pid[$s]}"
		status=0
		wait "${server_pid[$s]}" || status=$?
		if ((status != 0)); then
			log "$s exited with status $status; its log:"
			tail -n 20 "$tmp/$s.log" >&2
			exit 1
		fi
		log "round $round: $s exited cleanly; starting it again"
		start_server "$s"
		deadline 10 "HAProxy to put $s back in rotation" in_rotation "$s"
		log "round $round: $s back in rotation"
		sleep 0.5
	done
done

touch "$tmp/stop"
for pid in "${client_pids[@]}"; do
	wait "$pid" || true
done
client_pids=()

failed_clients=0
[[ -e "$tmp/client-failures" ]] && failed_clients="$(wc -l <"$tmp/client-failures")"
cat "$tmp"/client.*.out | awk -v failed_clients="$failed_clients" -v restarts="$((2 * rounds))" '
	$1 == "summary" {
		batches++
		for (i = 2; i <= NF; i++) {
			split($i, kv, "=")
			sum[kv[1]] += kv[2]
		}
	}
	END {
		failed = sum["errors"] + sum["busy"] + sum["unexpected"]
		lost = sum["missing"] + sum["unsent"]
		printf "rolling-restart: %d restarts, %d batches: jobs sent %d, OK %d, retried %d, failed %d, lost %d (reconnects %d, clients failed %d)\n",
			restarts, batches, sum["sent"], sum["ok"], sum["retries"], failed, lost, sum["reconnects"], failed_clients
		exit (failed > 0 || lost > 0 || failed_clients > 0 || sum["ok"] != sum["jobs"] || batches == 0)
	}' || {
	log "jobs failed or were lost; the first failing clients said:"
	if [[ -e "$tmp/client-failures" ]]; then
		head -n 3 "$tmp/client-failures" | while read -r id; do
			echo "  client $id: $(tail -n 3 "$tmp/client.$id.err" | tr '\n' ' ')" >&2
		done
	fi
	exit 1
}
