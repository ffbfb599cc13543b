#!/usr/bin/env bash
# bench-vips.sh times tcpimg's THUMBNAIL job against vipsthumbnail (libvips)
# on real camera photographs, side by side in one run, one core each, and
# writes results/vips-<date>-<commit>/:
#   raw.tsv       every timing: file, side (vips-1 and vips-N: one copy and
#                 N copies in one process; tcpimg: per job), round, wall
#                 and CPU seconds
#   summary.md    per file: size, scale, both sides' times and the ratio
#                 ours/vips; the median ratio per kind (baseline,
#                 progressive)
#   machine.txt   CPU, versions, and the load average before and after
#
# usage: scripts/bench-vips.sh   (N copies per vipsthumbnail batch, default
#        10; ROUNDS, default 5; CPU, the core both sides are pinned to,
#        default the last one)
#
# The set: photographs from Debian's wallpaper packages (installed here if
# missing; nothing of theirs is committed), resized with vips to 1-24 MP,
# each written twice: baseline (Q=90, which libvips writes without chroma
# subsampling) and progressive (interlace, default Q=75, 4:2:0). Metadata
# is stripped, so that vipsthumbnail has no EXIF orientation to apply.
#
# Both sides make a 128x128-box thumbnail written as JPEG quality 85.
# vipsthumbnail runs with VIPS_CONCURRENCY=1 under taskset on N copies of a
# file in one process, and again on one copy; the difference over N-1 is
# its time per image without process start-up. Our side is
# BenchmarkJobPhotos (decode, resize, encode through core.Process), with
# GOMAXPROCS=1 under the same taskset, N jobs per round. The two alternate
# file by file and round by round, so load from anything else running
# falls on both, and each timing keeps the least of its rounds, the one
# least disturbed (for vips, the least one-copy and N-copy times are
# subtracted). Times are wall clock and CPU (user+system: the process's
# threads, vips's included); the CPU ratio is the steadier one on a
# shared machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

n="${N:-10}"
rounds="${ROUNDS:-5}"
cpu="${CPU:-$(($(nproc) - 1))}"

need=()
command -v vipsthumbnail >/dev/null || need+=(libvips-tools)
for p in lomiri-wallpapers mate-backgrounds; do
	dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if ((${#need[@]})); then
	echo "bench-vips: installing ${need[*]}" >&2
	apt-get install -y --no-install-recommends "${need[@]}" >/dev/null ||
		{ apt-get update >/dev/null && apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
fi

commit="$(git rev-parse --short HEAD)"
out="results/vips-$(date -u +%Y-%m-%d)-$commit"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
set_dir="$work/set"
mkdir -p "$set_dir"

# name, source photograph, target megapixels (0: as it is). Sizes span
# 1-24 MP; the largest photograph is 20 MP, so the 24 MP file is it
# enlarged by 8%.
bg=/usr/share/backgrounds
photos=(
	"meadow-1mp $bg/mate/nature/GreenMeadow.jpg 1"
	"storm-2mp $bg/mate/nature/Storm.jpg 2"
	"waterfall-3mp $bg/life_by_Aitzol_Berasategi.jpg 3"
	"wood-4mp $bg/mate/nature/Wood.jpg 4"
	"dogs-6mp $bg/friends_by_Aitzol_Berasategi.jpg 0"
	"mountain-6mp $bg/aitzgorri_by_Aitzol_Berasategi.jpg 0"
	"peaks-8mp $bg/picosdeeuropa_by_Aitzol_Berasategi.jpg 0"
	"bridge-11mp $bg/Bridge_by_Sander_Klootwijk.jpg 0"
	"sunset-12mp $bg/sunset_by_Aitzol_Berasategi.jpg 0"
	"leaves-13mp $bg/Dragonfly_by_Bolly.jpg 0"
	"dandelion-16mp $bg/seeding_by_Clements_Engelhardt.jpg 0"
	"bird-20mp $bg/Kleiber_by_Lukas_Baubkus.jpg 0"
	"bird-24mp $bg/Kleiber_by_Lukas_Baubkus.jpg 24"
)
echo "bench-vips: building the set in $set_dir" >&2
for p in "${photos[@]}"; do
	read -r name src mp <<<"$p"
	img="$work/$name.v"
	if [ "$mp" = 0 ]; then
		vips copy "$src" "$img"
	else
		w=$(vipsheader -f width "$src")
		h=$(vipsheader -f height "$src")
		scale=$(awk -v w="$w" -v h="$h" -v mp="$mp" 'BEGIN { printf "%.6f", sqrt(mp * 1e6 / (w * h)) }')
		vips resize "$src" "$img" "$scale"
	fi
	vips copy "$img" "$set_dir/$name-baseline.jpg[Q=90,strip]"
	vips copy "$img" "$set_dir/$name-progressive.jpg[interlace,strip]"
	rm -f "$img"
done

echo "bench-vips: building the benchmark" >&2
go test -c -o "$work/core.test" ./core

# seconds <command...>: runs the command and prints "wall cpu" in seconds,
# cpu being the user and system time of the command and its children.
seconds() {
	local TIMEFORMAT='%R %U %S' t
	t=$({ time "$@" >/dev/null 2>&1; } 2>&1)
	awk '{ printf "%s %.3f\n", $1, $2 + $3 }' <<<"$t"
}

vips_batch() { # dir files...
	VIPS_CONCURRENCY=1 taskset -c "$cpu" vipsthumbnail -s 128x128 -o 'tn_%s.jpg[Q=85]' "$@"
}

{
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "cores: $(nproc), both sides pinned to core $cpu"
	echo "vips: $(vips --version)"
	echo "go: $(go env GOVERSION)"
	echo "commit: $(git rev-parse HEAD)"
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "copies per batch (N): $n, rounds: $rounds"
	echo "load before: $(cat /proc/loadavg)"
} >"$out/machine.txt"

printf 'file\tside\tround\twall_s\tcpu_s\n' >"$out/raw.tsv"
for r in $(seq 1 "$rounds"); do
	echo "load at round $r: $(cat /proc/loadavg)" >>"$out/machine.txt"
	for f in "$set_dir"/*.jpg; do
		name=$(basename "$f" .jpg)
		echo "bench-vips: round $r/$rounds $name" >&2
		batch="$work/batch/$name"
		rm -rf "$batch" && mkdir -p "$batch"
		for i in $(seq 1 "$n"); do cp "$f" "$batch/c$i.jpg"; done
		read -r w1 c1 < <(seconds vips_batch "$batch/c1.jpg")
		read -r wn cn < <(seconds vips_batch "$batch"/c*.jpg)
		printf '%s\tvips-1\t%d\t%s\t%s\n%s\tvips-N\t%d\t%s\t%s\n' \
			"$name" "$r" "$w1" "$c1" "$name" "$r" "$wn" "$cn" >>"$out/raw.tsv"
		rm -rf "$batch"
		TCPIMG_PHOTOS="$set_dir" GOMAXPROCS=1 taskset -c "$cpu" "$work/core.test" \
			-test.run '^$' -test.bench "^BenchmarkJobPhotos/file=$name\$" -test.benchtime "${n}x" |
			awk -v f="$name" -v r="$r" '/^BenchmarkJobPhotos/ {
				for (i = 1; i < NF; i++) { if ($(i+1) == "ns/op") wall = $i; if ($(i+1) == "cpu-ns/op") cpu = $i }
				printf "%s\ttcpimg\t%d\t%.6f\t%.6f\n", f, r, wall / 1e9, cpu / 1e9 }' >>"$out/raw.tsv"
	done
done
echo "load after: $(cat /proc/loadavg)" >>"$out/machine.txt"

# The summary: per file, each side's least time over the rounds (vips:
# least N-copy time less least one-copy time, over N-1), their ratio;
# then the median ratio per kind.
{
	echo "# THUMBNAIL (128x128, JPEG q85) vs vipsthumbnail, one core each"
	echo
	echo "Times are the least of $rounds rounds, in milliseconds per image; ratio = tcpimg / vips"
	echo "(below 1: tcpimg is faster). Machine and load: machine.txt; every timing: raw.tsv."
	echo
	echo "| file | size | scale | vips wall | tcpimg wall | ratio wall | vips cpu | tcpimg cpu | ratio cpu |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for f in "$set_dir"/*.jpg; do
		name=$(basename "$f" .jpg)
		w=$(vipsheader -f width "$f")
		h=$(vipsheader -f height "$f")
		# The JPEG scale THUMBNAIL decodes at (imaging.ShrinkOnLoad).
		scale=$(awk -v w="$w" -v h="$h" 'BEGIN {
			if (w >= h) { tw = 128; th = int((2 * h * 128 + w) / (2 * w)) } else { th = 128; tw = int((2 * w * 128 + h) / (2 * h)) }
			if (tw < 1) tw = 1; if (th < 1) th = 1
			s = 1
			for (d = 2; d <= 8; d *= 2) if (w >= 2 * d * tw && h >= 2 * d * th) s = d
			printf "1/%d", s }')
		awk -F'\t' -v f="$name" -v size="${w}x${h}" -v scale="$scale" -v n="$n" '
			function least(m, k, v) { if (!(k in m) || v < m[k]) m[k] = v }
			$1 == f { least(wall, $2, $4); least(cpu, $2, $5) }
			END {
				a = (wall["vips-N"] - wall["vips-1"]) / (n - 1); c = (cpu["vips-N"] - cpu["vips-1"]) / (n - 1)
				b = wall["tcpimg"]; d = cpu["tcpimg"]
				printf "| %s | %s | %s | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f |\n", f, size, scale, a * 1e3, b * 1e3, b / a, c * 1e3, d * 1e3, d / c
			}' "$out/raw.tsv"
	done
} >"$out/summary.md"
{
	echo
	echo "| kind | files | median ratio wall | median ratio cpu |"
	echo "|---|---|---|---|"
	for kind in progressive baseline; do
		grep -- "-$kind |" "$out/summary.md" | awk -F'|' -v kind="$kind" '
			function median(a, n,   i, j, t) {
				for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
				return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
			}
			{ w[++n] = $7 + 0; c[n] = $10 + 0 }
			END { printf "| %s | %d | %.2f | %.2f |\n", kind, n, median(w, n), median(c, n) }'
	done
} >>"$out/summary.md"
cat "$out/summary.md"
echo "bench-vips: wrote $out" >&2
