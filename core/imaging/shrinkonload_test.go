package imaging_test

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core/imaging"
)

// jpegFiles returns the repository's sample JPEGs and the reduced
// decoder's test files (baseline and progressive, every sampling it
// handles, restart markers, and those it hands to image/jpeg).
func jpegFiles(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, pattern := range []string{"../../testdata/images/*.jpg", "jpegscale/testdata/*.jpg"} {
		names, err := filepath.Glob(pattern)
		require.NoError(t, err)
		for _, name := range names {
			data, err := os.ReadFile(name)
			require.NoError(t, err)
			files[filepath.Base(name)] = data
		}
	}
	require.NotEmpty(t, files)
	return files
}

// rgbPSNR compares two images' colours (as composed on black, which is
// what a JPEG thumbnail shows), in dB.
func rgbPSNR(t *testing.T, want, got image.Image) float64 {
	t.Helper()
	wb, gb := want.Bounds(), got.Bounds()
	require.Equal(t, wb.Size(), gb.Size())
	var se float64
	for y := range wb.Dy() {
		for x := range wb.Dx() {
			w := color.RGBAModel.Convert(want.At(wb.Min.X+x, wb.Min.Y+y)).(color.RGBA)
			g := color.RGBAModel.Convert(got.At(gb.Min.X+x, gb.Min.Y+y)).(color.RGBA)
			for _, d := range []float64{float64(w.R) - float64(g.R), float64(w.G) - float64(g.G), float64(w.B) - float64(g.B)} {
				se += d * d
			}
		}
	}
	mse := se / float64(3*wb.Dx()*wb.Dy())
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/mse)
}

// TestDecodeThumbnailQuality holds the shrink-on-load thumbnail of every
// test JPEG, in several boxes (each scale, free sides, odd sizes), to at
// least 35 dB PSNR against the full path: image/jpeg's decode, then
// Thumbnail. Boxes that leave no factor of 4 take the full path and must
// match it exactly.
func TestDecodeThumbnailQuality(t *testing.T) {
	boxes := []image.Point{{128, 128}, {100, 0}, {0, 100}, {64, 64}, {33, 17}, {8, 8}, {300, 300}, {1, 1}}
	files := jpegFiles(t)
	if raceEnabled {
		// Pixel arithmetic on one goroutine: the race detector only
		// needs to see each path once.
		boxes = boxes[:2]
		files = map[string][]byte{"baseline-420.jpg": files["baseline-420.jpg"], "progressive-444.jpg": files["progressive-444.jpg"]}
	}
	for name, data := range files {
		full, _, err := imaging.Decode(data, 1<<30)
		if err != nil {
			continue // unsupported-*: both paths refuse it (TestDecodeThumbnailErrors)
		}
		b := full.Bounds()
		for _, box := range boxes {
			tw, th, err := imaging.FitSize(b.Dx(), b.Dy(), box.X, box.Y)
			require.NoError(t, err)
			denom := imaging.ShrinkOnLoad(b.Dx(), b.Dy(), tw, th)
			t.Run(fmt.Sprintf("file=%s/box=%dx%d/scale=1:%d", name, box.X, box.Y, denom), func(t *testing.T) {
				want, err := imaging.Thumbnail(full, box.X, box.Y)
				require.NoError(t, err)
				got, format, err := imaging.DecodeThumbnail(data, box.X, box.Y, 1<<30)
				require.NoError(t, err)
				assert.Equal(t, imaging.JPEG, format)
				require.Equal(t, want.Bounds().Size(), got.Bounds().Size())
				if denom == 1 {
					requireSameRGBA(t, want, got)
					return
				}
				p := rgbPSNR(t, want, got)
				t.Logf("%.1f dB", p)
				assert.GreaterOrEqual(t, p, 35.0)
			})
		}
	}
}

func TestShrinkOnLoad(t *testing.T) {
	tests := []struct {
		w, h, tw, th int
		want         int
	}{
		{2000, 1500, 128, 96, 4},    // 15.6x: 1/4 leaves 3.9x
		{4000, 3000, 128, 96, 8},    // 31x
		{2048, 1536, 128, 96, 8},    // exactly 16x
		{2047, 1536, 128, 96, 4},    // just under 16x on one side
		{1024, 768, 128, 96, 4},     // exactly 8x
		{640, 480, 128, 96, 2},      // 5x
		{500, 375, 128, 96, 1},      // 3.9x: the box step alone
		{1000, 3, 10, 1, 1},         // the short side cannot shrink
		{6000, 4000, 6000, 4000, 1}, // fits
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d-to-%dx%d", tt.w, tt.h, tt.tw, tt.th), func(t *testing.T) {
			assert.Equal(t, tt.want, imaging.ShrinkOnLoad(tt.w, tt.h, tt.tw, tt.th))
		})
	}
}

// TestDecodeThumbnailErrors: the shrink-on-load path classifies bad input
// as the full path does, and never answers "unsupported" for an image
// image/jpeg decodes.
func TestDecodeThumbnailErrors(t *testing.T) {
	files := jpegFiles(t)
	base := files["baseline-420.jpg"]
	tests := []struct {
		name      string
		give      []byte
		maxPixels int64
		want      error
	}{
		{"truncated baseline", base[:len(base)/2], 1 << 30, imaging.ErrCorrupt},
		{"arithmetic coding", files["unsupported-arithmetic.jpg"], 1 << 30, imaging.ErrCorrupt},
		{"over the pixel limit", base, 1000, imaging.ErrTooLarge},
		{"not an image", []byte("hello"), 1 << 30, imaging.ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := imaging.DecodeThumbnail(tt.give, 16, 16, tt.maxPixels)
			assert.ErrorIs(t, err, tt.want)
		})
	}
	for _, name := range []string{"fallback-440.jpg", "fallback-rgb.jpg", "fallback-cmyk.jpg"} {
		t.Run(name, func(t *testing.T) {
			got, _, err := imaging.DecodeThumbnail(files[name], 16, 16, 1<<30)
			require.NoError(t, err)
			assert.Equal(t, 16, got.Bounds().Dx())
		})
	}
}
