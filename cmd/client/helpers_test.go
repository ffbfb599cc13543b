package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeImages fills a new folder with one small PNG, JPEG and GIF image, and
// a file the client must skip, and returns the folder.
func writeImages(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{R: uint8(x * 4), G: uint8(y * 5), B: 128, A: 255})
		}
	}
	encoders := map[string]func(*bytes.Buffer) error{
		"a.png": func(b *bytes.Buffer) error { return png.Encode(b, img) },
		"b.jpg": func(b *bytes.Buffer) error { return jpeg.Encode(b, img, nil) },
		"c.gif": func(b *bytes.Buffer) error { return gif.Encode(b, img, nil) },
	}
	for name, enc := range encoders {
		var b bytes.Buffer
		require.NoError(t, enc(&b))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not an image"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub.png"), 0o755))
	return dir
}

// imagesInDir is how many images writeImages writes.
const imagesInDir = 3

// result is one run of the command.
type result struct {
	code    int
	stdout  string
	stderr  string
	summary map[string]float64 // the summary line's fields
}

// runClient runs the command with args and parses its summary line.
func runClient(t *testing.T, ctx context.Context, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := realMain(ctx, args, &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String(), summary: parseSummary(t, stdout.String())}
}

// parseSummary reads the "summary k=v ..." line the way scripts do; it
// returns nil when there is none.
func parseSummary(t *testing.T, out string) map[string]float64 {
	t.Helper()
	for line := range strings.Lines(out) {
		fields := strings.Fields(line)
		if len(fields) == 0 || fields[0] != "summary" {
			continue
		}
		m := make(map[string]float64)
		for _, f := range fields[1:] {
			k, v, ok := strings.Cut(f, "=")
			require.True(t, ok, "field %q", f)
			n, err := strconv.ParseFloat(v, 64)
			require.NoError(t, err, "field %q", f)
			m[k] = n
		}
		return m
	}
	return nil
}
