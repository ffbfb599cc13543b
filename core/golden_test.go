package core_test

import (
	"bytes"
	"flag"
	"image"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
)

var update = flag.Bool("update", false, "rewrite the golden outputs in "+goldenDir)

const goldenDir = "../testdata/golden"

// goldenCases is the set of jobs run on every sample image. Goldens hold
// encoded outputs, and are compared by decoded pixels (after a shortcut for
// identical bytes): a change in an encoder's bytes that keeps the pixels
// passes, any pixel change fails.
var goldenCases = []struct {
	name string
	h    core.RequestHeader
}{
	{"thumbnail-128x128", core.RequestHeader{Op: core.OpThumbnail, Arg1: 128, Arg2: 128}},
	{"thumbnail-0x100", core.RequestHeader{Op: core.OpThumbnail, Arg2: 100, Format: core.FormatPNG}},
	{"thumbnail-100x0", core.RequestHeader{Op: core.OpThumbnail, Arg1: 100, Format: core.FormatJPEG, Quality: 90}},
	{"thumbnail-4096x4096", core.RequestHeader{Op: core.OpThumbnail, Arg1: 4096, Arg2: 4096, Format: core.FormatJPEG, Quality: 60}}, // fits: re-encoded as is
	{"grayscale", core.RequestHeader{Op: core.OpGrayscale}},
	{"blur-1", core.RequestHeader{Op: core.OpBlur, Arg1: 1}},
	{"blur-5", core.RequestHeader{Op: core.OpBlur, Arg1: 5, Format: core.FormatJPEG}},
}

// TestGolden runs every golden case on every sample image. Regenerate with
// go test ./core -run Golden -update.
func TestGolden(t *testing.T) {
	var want []string
	for _, s := range samples(t) {
		for _, c := range goldenCases {
			out, err := doJob(t, c.h, s.data)
			require.NoError(t, err, "%s %s", s.name, c.name)
			_, format, err := image.DecodeConfig(bytes.NewReader(out.Bytes()))
			require.NoError(t, err)
			name := s.stem + "." + c.name + "." + format
			want = append(want, name)
			path := filepath.Join(goldenDir, name)
			if *update {
				require.NoError(t, os.MkdirAll(goldenDir, 0o755))
				require.NoError(t, os.WriteFile(path, out.Bytes(), 0o644))
				continue
			}
			t.Run(name, func(t *testing.T) {
				golden, err := os.ReadFile(path)
				require.NoError(t, err, "missing golden: run go test ./core -run Golden -update")
				if bytes.Equal(golden, out.Bytes()) {
					return // same bytes, same pixels
				}
				g, _, err := image.Decode(bytes.NewReader(golden))
				require.NoError(t, err)
				o, _, err := image.Decode(out)
				require.NoError(t, err)
				same, where := samePixels(g, o)
				assert.True(t, same, "%s: %s", name, where)
			})
		}
	}
	entries, err := os.ReadDir(goldenDir)
	require.NoError(t, err)
	var have []string
	for _, e := range entries {
		if *update && !slices.Contains(want, e.Name()) {
			require.NoError(t, os.Remove(filepath.Join(goldenDir, e.Name())))
			continue
		}
		have = append(have, e.Name())
	}
	slices.Sort(want)
	assert.Equal(t, want, have, "golden files without a case, or cases without a file")
}
