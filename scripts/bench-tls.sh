#!/usr/bin/env bash
# bench-tls.sh measures what mutual TLS costs the server: the same
# scenarios against the same server, isolated on its own CPU with one
# worker, once over plain TCP and once over mutual TLS 1.3, with the load
# generator (cmd/loadgen) pinned to another CPU. Every repetition starts a
# fresh server per mode and alternates which mode goes first.
#
# usage: scripts/bench-tls.sh
#
# environment:
#   COUNT=N       repetitions (default 6: benchstat's intervals need 6)
#   SCENARIOS=S   comma-separated scenarios (default saturate,open-50,open-90;
#                 each mode's open loops run at fractions of its own capacity)
#   OUT=DIR       results folder (default results/tls-<date>-<short commit>)
#
# The folder gets raw.txt (every run, its strategy column "plain" or
# "mtls"), benchstat.txt (mtls against plain, every figure: goodput,
# p99 and the rest), cpu.txt (per repetition and mode, the server's CPU
# time from /proc over all its runs, and the jobs it completed, read from
# its admin listener) and cpu-summary.txt (the median server CPU per OK job
# in each mode, and their ratio). It needs openssl, taskset and two CPUs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/results.sh
. scripts/results.sh

count=${COUNT:-6}
scenarios=${SCENARIOS:-saturate,open-50,open-90}
[[ $count =~ ^[1-9][0-9]*$ ]] || { echo "bench-tls: COUNT=$count is not a positive number" >&2; exit 2; }
for tool in openssl taskset; do
	command -v $tool >/dev/null || { echo "bench-tls: $tool is needed" >&2; exit 2; }
done
(($(getconf _NPROCESSORS_ONLN) >= 2)) || { echo "bench-tls: two CPUs are needed, one for each side" >&2; exit 2; }

results_folder bench-tls "results/tls-$(date -u +%Y-%m-%d)"
tmp=$(mktemp -d)
server_pid=
cleanup() {
	[[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "bench-tls: building" >&2
go build -o "$tmp/server" ./cmd/server
go build -o "$tmp/loadgen" ./cmd/loadgen

# A throwaway CA, a server certificate for 127.0.0.1 and a client one.
pki=$tmp/pki
mkdir -p "$pki"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -days 2 -subj "/CN=bench CA" -keyout "$pki/ca-key.pem" -out "$pki/ca.pem" 2>/dev/null
for who in server client; do
	openssl req "${ec[@]}" -subj "/CN=bench $who" -keyout "$pki/$who-key.pem" -out "$pki/$who.csr" 2>/dev/null
done
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$pki/server.ext"
printf 'extendedKeyUsage=clientAuth\n' >"$pki/client.ext"
for who in server client; do
	openssl x509 -req -in "$pki/$who.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca-key.pem" -CAcreateserial \
		-days 2 -extfile "$pki/$who.ext" -out "$pki/$who.pem" 2>/dev/null
done

mode="isolated, server on CPU 0 with 1 worker, load generator on CPU 1"
results_header "$count" 1 >"$out/raw.txt"
: >"$out/conditions.txt"
: >"$out/cpu.txt"

# serve MODE starts the server for MODE and sets server_pid, addr and admin.
serve() {
	local flags=(-addr 127.0.0.1:0 -admin-addr 127.0.0.1:0 -workers 1 -queue 64 -log-format json)
	[[ $1 == mtls ]] && flags+=(-tls-cert "$pki/server.pem" -tls-key "$pki/server-key.pem" -tls-client-ca "$pki/ca.pem")
	GOMAXPROCS=1 taskset -c 0 "$tmp/server" "${flags[@]}" 2>"$tmp/server.log" &
	server_pid=$!
	addr= admin=
	for _ in $(seq 100); do
		addr=$(sed -n 's/.*"msg":"listening","addr":"\([^"]*\)".*/\1/p' "$tmp/server.log")
		admin=$(sed -n 's/.*"msg":"admin","addr":"\([^"]*\)".*/\1/p' "$tmp/server.log")
		[[ -n $addr && -n $admin ]] && return
		sleep 0.1
	done
	echo "bench-tls: the server did not start:" >&2
	cat "$tmp/server.log" >&2
	exit 1
}

# cpu_seconds PID prints user plus system CPU time from /proc/PID/stat.
cpu_seconds() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"
}

start=$SECONDS
for ((rep = 0; rep < count; rep++)); do
	echo "rep $rep: load average $(load_average)" >>"$out/conditions.txt"
	modes=(plain mtls)
	((rep % 2)) && modes=(mtls plain)
	for m in "${modes[@]}"; do
		serve "$m"
		client=()
		[[ $m == mtls ]] && client=(-tls-ca "$pki/ca.pem" -tls-cert "$pki/client.pem" -tls-key "$pki/client-key.pem")
		echo "bench-tls: rep $((rep + 1))/$count $m ($((SECONDS - start))s elapsed)" >&2
		taskset -c 1 "$tmp/loadgen" -target "$addr" -scenario "$scenarios" -label "$m" -rep "$rep" \
			"${client[@]}" 2>>"$tmp/loadgen.log" | grep -E '^Benchmark' >>"$out/raw.txt"
		cpu=$(cpu_seconds "$server_pid")
		ok=$(curl -fsS "http://$admin/stats" | sed -n 's/^ *"Completed": *\([0-9]*\).*/\1/p' | head -1)
		kill -TERM "$server_pid"
		wait "$server_pid" || { echo "bench-tls: the $m server did not exit cleanly" >&2; exit 1; }
		server_pid=
		echo "rep $rep mode $m cpu_s $cpu ok $ok" >>"$out/cpu.txt"
	done
done
echo "rep end: load average $(load_average)" >>"$out/conditions.txt"

go tool benchstat -col '/strategy@(plain mtls)' -row /scenario "$out/raw.txt" >"$out/benchstat.txt"
for m in plain mtls; do
	awk -v m="$m" '$4 == m && $8 > 0 { print 1e6 * $6 / $8 }' "$out/cpu.txt" | sort -n |
		awk -v m="$m" '{ v[NR] = $1 } END { printf "%s %.1f\n", m, (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
done >"$tmp/medians"
awk '{ med[$1] = $2; printf "%-6s server CPU per OK job, median over the repetitions: %.1f us\n", $1, $2 }
	END { if (med["plain"] > 0) printf "mtls / plain: %.3f\n", med["mtls"] / med["plain"] }' "$tmp/medians" >"$out/cpu-summary.txt"
cat "$out/cpu-summary.txt" >&2
echo "bench-tls: done in $((SECONDS - start))s: $out" >&2
