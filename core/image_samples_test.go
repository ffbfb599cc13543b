package core_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/testdata/gen/imageset"
)

// TestSampleImagesAreGenerated: the committed sample images are exactly
// what the generator writes, and nothing else is in their folder (the
// batch client sends every file there). After changing the generator, or
// after a Go release changes an encoder, run go generate ./core.
func TestSampleImagesAreGenerated(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, imageset.Write(dir))
	generated, err := os.ReadDir(dir)
	require.NoError(t, err)
	committed, err := os.ReadDir(imagesDir)
	require.NoError(t, err)
	names := func(es []os.DirEntry) []string {
		var n []string
		for _, e := range es {
			n = append(n, e.Name())
		}
		return n
	}
	require.Equal(t, names(generated), names(committed), "run go generate ./core")
	var total int64
	for _, e := range generated {
		want, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(imagesDir, e.Name()))
		require.NoError(t, err)
		assert.True(t, string(want) == string(got), "%s differs from the generator's output: run go generate ./core", e.Name())
		total += int64(len(got))
	}
	assert.Less(t, total, int64(2<<20), "sample images should stay small")
}
