#!/usr/bin/env bash
# Regenerates this folder's JPEGs from the repository's sample scene, one
# per coding feature the decoder handles (or hands to image/jpeg). Needs
# vips (libvips-tools) and cjpeg/jpegtran (libjpeg-turbo-progs).
set -euo pipefail
cd "$(dirname "$0")"
src=../../../../testdata/images/scene-1024x768.jpg
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# An odd size, so that blocks and MCUs straddle both edges.
vips resize "$src" "$tmp/small.v" 0.294
vips copy "$tmp/small.v" "$tmp/small.ppm"
vips colourspace "$tmp/small.v" "$tmp/gray.v" b-w
vips copy "$tmp/gray.v" "$tmp/gray.pgm"
cjpeg -quality 90 -sample 2x2 "$tmp/small.ppm" > baseline-420.jpg
cjpeg -quality 90 -sample 2x1 "$tmp/small.ppm" > baseline-422.jpg
cjpeg -quality 90 -sample 1x1 "$tmp/small.ppm" > baseline-444.jpg
cjpeg -quality 90 "$tmp/gray.pgm" > baseline-gray.jpg
cjpeg -quality 90 -sample 2x2 -restart 3B "$tmp/small.ppm" > restart-420.jpg
cjpeg -quality 90 -sample 1x2 "$tmp/small.ppm" > fallback-440.jpg
cjpeg -quality 90 -rgb "$tmp/small.ppm" > fallback-rgb.jpg
vips colourspace "$tmp/small.v" "$tmp/cmyk.v" cmyk
vips copy "$tmp/cmyk.v" fallback-cmyk.jpg[Q=90,strip]
jpegtran -progressive baseline-420.jpg > progressive-420.jpg
jpegtran -progressive baseline-422.jpg > progressive-422.jpg
jpegtran -progressive baseline-444.jpg > progressive-444.jpg
jpegtran -progressive baseline-gray.jpg > progressive-gray.jpg
jpegtran -progressive -restart 2B baseline-420.jpg > progressive-restart-420.jpg
jpegtran -arithmetic baseline-420.jpg > unsupported-arithmetic.jpg
vips copy "$src" progressive-1024x768.jpg[interlace,Q=90]
# Tiny ones, for the fuzz target's seed corpus: each input decodes fast.
vips resize "$tmp/small.v" "$tmp/tiny.v" 0.13
vips copy "$tmp/tiny.v" "$tmp/tiny.ppm"
cjpeg -quality 75 -sample 2x2 -restart 1 "$tmp/tiny.ppm" > tiny-restart-420.jpg
cjpeg -quality 75 -sample 2x1 "$tmp/tiny.ppm" > tiny-baseline-422.jpg
cjpeg -quality 75 -sample 1x1 -progressive "$tmp/tiny.ppm" > tiny-progressive-444.jpg
cjpeg -quality 75 -sample 2x2 -progressive -restart 1B "$tmp/tiny.ppm" > tiny-progressive-restart-420.jpg
cjpeg -quality 75 -grayscale -progressive "$tmp/tiny.ppm" > tiny-progressive-gray.jpg
