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
#   load_average                 prints the 1, 5 and 15 minute load averages

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
}

load_average() {
	cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown
}
