package imaging_test

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core/imaging/jpegscale"
)

// TestReducedDecodeMemory: decoding a JPEG reduced costs a baseline
// image its reduced planes, a progressive one at 1/8 a DC value per block
// and component, and one at 1/2 or 1/4 its coefficients, 2 bytes per
// sample and a bit mask per block: never the full image.
func TestReducedDecodeMemory(t *testing.T) {
	// decoderAlloc is what a decode allocates whatever the image: the
	// decoder and its Huffman tables.
	const decoderAlloc = 256 << 10
	files := jpegFiles(t)
	tests := []struct {
		file  string
		denom int
		// perPixel is the budget in bytes per pixel of the full image,
		// past the reduced planes (3 bytes per reduced pixel, MCU
		// padding included) and decoderAlloc.
		perPixel float64
	}{
		{"scene-2000x1500.jpg", 8, 0},
		{"scene-2000x1500.jpg", 4, 0},
		{"scene-2000x1500.jpg", 2, 0},
		{"progressive-1024x768.jpg", 8, 3 * 2.0 / 64}, // 4:4:4
		{"progressive-1024x768.jpg", 4, 3 * (2 + 1.0/8)},
		{"progressive-420.jpg", 4, 1.5 * (2 + 1.0/8)},
		{"progressive-420.jpg", 2, 1.5 * (2 + 1.0/8)},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("file=%s/scale=1:%d", tt.file, tt.denom), func(t *testing.T) {
			data := files[tt.file]
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
			require.NoError(t, err)
			rw, rh := (cfg.Width+31)/tt.denom+1, (cfg.Height+31)/tt.denom+1
			budget := uint64(3*rw*rh) + uint64(tt.perPixel*float64(cfg.Width*cfg.Height)) + decoderAlloc
			got := allocated(budget, func() {
				_, err = jpegscale.Decode(data, tt.denom, 1<<30)
			})
			require.NoError(t, err)
			assert.LessOrEqual(t, got, budget, "%dx%d at 1/%d", cfg.Width, cfg.Height, tt.denom)
		})
	}
}
