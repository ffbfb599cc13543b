# results.sh is sourced by the scripts that write a results folder
# (run-matrix.sh, run-model.sh), so that every folder names its commit and
# describes its machine alike. It defines:
#
#   results_folder NAME DEFAULT  sets $out, the folder (OUT, or DEFAULT
#                                followed by -<short commit>), made and
#                                absolute, and $dirty; refuses a folder
#                                holding a raw.txt already
#   results_header COUNT SCALE   prints the "key: value" lines that open
#                                raw.txt: machine, Go, commit, date, and the
#                                run's repetitions and scale
#   isolation                    unless INPROCESS=1 or the machine has one
#                                CPU, builds the server into $tmp/server and
#                                sets iso_flags, the benchmark flags that run
#                                each server as a process of its own on the
#                                first half of the CPUs, the load generator
#                                on the rest; sets $mode to say which
#   benchstat_tables BENCH ORDER writes $out/benchstat.txt (every metric,
#                                strategies as columns in ORDER, the first
#                                the baseline, scenarios as rows) and
#                                benchstat-METRIC.txt, one per unit that
#                                BENCH's lines in raw.txt report
#   load_average                 prints the 1, 5 and 15 minute load averages
#   run_benchmark NAME BENCH [SCENARIOS]
#                                runs benchmark BENCH of $tmp/harness.test
#                                (only the scenarios whose names match the
#                                regular expression SCENARIOS, if given)
#                                once per repetition ($count, $scale,
#                                numbered from $first, default 0),
#                                into $out (raw.txt, records/,
#                                conditions.txt), printing progress and
#                                failures as NAME, with the flags in
#                                $bench_flags too; sets failed=1 when a
#                                repetition failed, and goes on
#   only_scenarios NAME          keeps in $scenarios the names that the
#                                regular expression $ONLY matches whole
#                                (all of them when ONLY is unset); exits 2,
#                                removing the still empty $out, when ONLY
#                                is anchored or matches none
#   capacity_summary             appends to $out/raw.txt a "capacity:" line
#                                summing up $out/capacity.txt, the lines
#                                -harness.capacity wrote

iso_flags=()
bench_flags=()

results_folder() {
	local name=$1 default=$2
	dirty=
	if [[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]]; then
		dirty=-dirty
	fi
	local commit
	commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$dirty
	out=${OUT:-$default-$commit}
	if [[ -e $out/raw.txt ]]; then
		echo "$name: $out/raw.txt exists; remove the folder or set OUT=" >&2
		exit 2
	fi
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
}

results_header() {
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
	echo "machine: $(uname -srm), $(getconf _NPROCESSORS_ONLN) CPUs${cpu:+, $cpu}"
	echo "go-version: $(go env GOVERSION)"
	echo "gomaxprocs: ${GOMAXPROCS:-$(getconf _NPROCESSORS_ONLN)}"
	echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)$dirty"
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "repetitions: $1"
	echo "scale: $2"
	echo "mode: ${mode:-in-process}"
}

isolation() {
	iso_flags=()
	local n half
	n=$(getconf _NPROCESSORS_ONLN)
	if [[ ${INPROCESS:-} == 1 || $n -lt 2 ]]; then
		mode="in-process, the load generator on the server's CPUs"
		return
	fi
	go build -o "$tmp/server" ./cmd/server
	half=$((n / 2))
	local server_cpus=0 load_cpus=$half
	((half > 1)) && server_cpus=0-$((half - 1))
	((n - half > 1)) && load_cpus=$half-$((n - 1))
	iso_flags=(-harness.server "$tmp/server" -harness.server-cpus "$server_cpus" -harness.load-cpus "$load_cpus")
	mode="isolated, server on CPUs $server_cpus with $half workers, load generator on CPUs $load_cpus"
}

load_average() {
	cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown
}

run_benchmark() {
	local name=$1 bench=$2 scenarios=${3:-} rep pattern
	local done_runs=0
	pattern="^$bench\$"
	[[ -z $scenarios ]] || pattern="$pattern/^scenario=($scenarios)\$"
	failed=0
	for ((rep = 0; rep < count; rep++)); do
		echo "rep $((${first:-0} + rep)): load average $(load_average)" >>"$out/conditions.txt"
		if ! "$tmp/harness.test" -test.run '^$' -test.bench "$pattern" \
			-test.benchtime 1x -test.count 1 -test.timeout 0 \
			-harness.records "$out/records" -harness.rep "$((${first:-0} + rep))" -harness.scale "$scale" \
			"${iso_flags[@]}" "${bench_flags[@]}" 2>&1 |
			while IFS= read -r line; do
				printf '%s\n' "$line" >>"$out/raw.txt"
				case $line in
				"$bench"/*)
					done_runs=$((done_runs + 1))
					local cell=${line%%[[:space:]]*}
					echo "$name: [$done_runs${total:+/$total}] rep $((rep + 1))/$count ${cell#"$bench"/} $((SECONDS - start))s elapsed" >&2
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
}

benchstat_tables() {
	local bench=$1 order=$2 unit units
	local stat=(go tool benchstat -col "/strategy@($order)" -row /scenario)
	"${stat[@]}" "$out/raw.txt" >"$out/benchstat.txt"
	units=$(awk -v b="^$bench/" '$0 ~ b { for (i = 4; i <= NF; i += 2) print $i }' "$out/raw.txt" | awk '!seen[$0]++')
	for unit in $units; do
		"${stat[@]}" -filter ".unit:$unit" "$out/raw.txt" >"$out/benchstat-${unit//\//-per-}.txt"
	done
}

# The capacity every repetition scaled its open loops by: the median of
# the repetitions' medians, their range, and the largest spread among one
# repetition's own calibration runs, which with -harness.fresh-capacity
# spans the whole repetition, minutes of the machine's drift. It goes
# after every result, so that benchstat, which applies a "key: value" line
# to the results after it, groups nothing by it.
capacity_summary() {
	[[ -s $out/capacity.txt ]] || return 0
	sort -k4,4n "$out/capacity.txt" | awk '{ c[NR] = $4; r += $8; if ($6 > w) w = $6 }
		END {
			n = NR
			m = (n % 2) ? c[(n + 1) / 2] : (c[n / 2] + c[n / 2 + 1]) / 2
			printf "capacity: median %.0f/s over %d repetitions (%d calibration runs), range of the medians %.0f..%.0f/s (%.1f%%), within a repetition up to %.1f%%\n",
				m, n, r, c[1], c[n], 100 * (c[n] - c[1]) / m, 100 * w
		}' >>"$out/raw.txt"
}

only_scenarios() {
	local name=$1
	[[ -n ${ONLY:-} ]] || return 0
	if [[ $ONLY == ^* || $ONLY == *$ ]]; then
		echo "$name: ONLY=$ONLY: give it without ^ and \$, which are added" >&2
		rmdir "$out" 2>/dev/null || true
		exit 2
	fi
	mapfile -t scenarios < <(printf '%s\n' "${scenarios[@]}" | grep -E "^($ONLY)\$" || true)
	if ((${#scenarios[@]} == 0)); then
		echo "$name: ONLY=$ONLY matches no scenario of the family" >&2
		rmdir "$out" 2>/dev/null || true
		exit 2
	fi
}
