package imaging_test

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 42)) }

// randomRGBA returns a valid premultiplied image (every channel <= alpha)
// whose alpha is opaque, transparent or anything between.
func randomRGBA(rng *rand.Rand, r image.Rectangle) *image.RGBA {
	m := image.NewRGBA(r)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			a := uint8(rng.IntN(256))
			switch rng.IntN(4) {
			case 0:
				a = 255
			case 1:
				a = 0
			}
			m.SetRGBA(x, y, color.RGBA{randUpTo(rng, a), randUpTo(rng, a), randUpTo(rng, a), a})
		}
	}
	return m
}

func randUpTo(rng *rand.Rand, a uint8) uint8 { return uint8(rng.IntN(int(a) + 1)) }

func randomNRGBA(rng *rand.Rand, r image.Rectangle) *image.NRGBA {
	m := image.NewNRGBA(r)
	for i := range m.Pix {
		m.Pix[i] = uint8(rng.IntN(256))
	}
	return m
}

// requireSameRGBA compares pixels by value, whatever the two images' types
// and origins.
func requireSameRGBA(t *testing.T, want, got image.Image) {
	t.Helper()
	wb, gb := want.Bounds(), got.Bounds()
	require.Equal(t, wb.Size(), gb.Size(), "size")
	for y := range wb.Dy() {
		for x := range wb.Dx() {
			w := color.RGBAModel.Convert(want.At(wb.Min.X+x, wb.Min.Y+y))
			g := color.RGBAModel.Convert(got.At(gb.Min.X+x, gb.Min.Y+y))
			if w != g {
				require.Failf(t, "pixel differs", "at (%d,%d): want %v, got %v", x, y, w, g)
			}
		}
	}
}
