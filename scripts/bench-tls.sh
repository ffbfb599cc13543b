#!/usr/bin/env bash
# bench-tls.sh measures what mutual TLS costs the server: scripts/bench-ab.sh
# with plain TCP as A and mutual TLS 1.3 as B, the same scenarios against
# the same server, isolated on its own CPU with one worker, with the load
# generator pinned to another CPU. Every repetition starts a fresh server
# per mode and alternates which mode goes first.
#
# usage: scripts/bench-tls.sh
#
# environment:
#   COUNT=N       repetitions (default 6: benchstat's intervals need 6)
#   SCENARIOS=S   comma-separated scenarios (default saturate,open-50,open-90;
#                 each mode's open loops run at fractions of its own capacity)
#   OUT=DIR       results folder (default results/tls-<date>-<short commit>)
#
# The folder is bench-ab.sh's, with the strategy column "plain" or "mtls":
# raw.txt, benchstat.txt (mtls against plain), shift-*-paired.txt, cpu.txt,
# cpu-summary.txt (the median server CPU per OK job in each mode, and
# their ratio) and loadgen.log. It needs openssl, taskset and two CPUs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v openssl >/dev/null || { echo "bench-tls: openssl is needed" >&2; exit 2; }
pki=$(mktemp -d)
trap 'rm -rf "$pki"' EXIT

# A throwaway CA, a server certificate for 127.0.0.1 and a client one.
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

NAME=tls A_LABEL=plain B_LABEL=mtls A_FLAGS= A_CLIENT= SAME_RATE=0 \
	B_FLAGS="-tls-cert $pki/server.pem -tls-key $pki/server-key.pem -tls-client-ca $pki/ca.pem" \
	B_CLIENT="-tls-ca $pki/ca.pem -tls-cert $pki/client.pem -tls-key $pki/client-key.pem" \
	scripts/bench-ab.sh
