package jpegscale_test

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core/imaging/jpegscale"
)

// fixedAlloc is what a decode allocates whatever the image: the decoder
// and its Huffman tables.
const fixedAlloc = 256 << 10

// allocated is what f allocates, by the process-wide counter, the least
// of three runs (anything else running may allocate meanwhile).
func allocated(f func()) uint64 {
	least := ^uint64(0)
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		least = min(least, after.TotalAlloc-before.TotalAlloc)
	}
	return least
}

// TestDecodeMemory: a baseline image costs its reduced planes, a
// progressive one at 1/8 a DC value per block and component, and one at
// 1/2 or 1/4 its coefficients, 2 bytes per sample (and a bit mask per
// block), never the full image.
func TestDecodeMemory(t *testing.T) {
	files := testFiles(t)
	tests := []struct {
		file  string
		denom int
		// per is the budget in bytes per pixel of the full image, past
		// the reduced planes (3 bytes per reduced pixel, MCU padding
		// included) and fixedAlloc.
		per float64
	}{
		{"scene-2000x1500.jpg", 8, 0},
		{"scene-2000x1500.jpg", 4, 0},
		{"scene-2000x1500.jpg", 2, 0},
		{"progressive-1024x768.jpg", 8, 3 * 2.0 / 64},
		{"progressive-1024x768.jpg", 4, 3 * (2 + 1.0/8)},
		{"progressive-420.jpg", 4, 1.5 * (2 + 1.0/8)},
		{"progressive-420.jpg", 2, 1.5 * (2 + 1.0/8)},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("file=%s/scale=1:%d", tt.file, tt.denom), func(t *testing.T) {
			data := files[tt.file]
			if data == nil {
				t.Skip("large files are left out under the race detector")
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
			require.NoError(t, err)
			rw, rh := (cfg.Width+31)/tt.denom+1, (cfg.Height+31)/tt.denom+1
			budget := uint64(3*rw*rh) + uint64(tt.per*float64(cfg.Width*cfg.Height)) + fixedAlloc
			got := allocated(func() {
				_, err = jpegscale.Decode(data, tt.denom, noLimit)
			})
			require.NoError(t, err)
			assert.LessOrEqual(t, got, budget)
			t.Logf("%d bytes for %dx%d at 1/%d, budget %d", got, cfg.Width, cfg.Height, tt.denom, budget)
		})
	}
}
