package imaging_test

import (
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core/imaging"
)

func randomYCbCr(rng *rand.Rand, r image.Rectangle, ratio image.YCbCrSubsampleRatio) *image.YCbCr {
	m := image.NewYCbCr(r, ratio)
	for _, p := range [][]uint8{m.Y, m.Cb, m.Cr} {
		for i := range p {
			p[i] = uint8(rng.IntN(256))
		}
	}
	return m
}

// randomPaletted uses a palette with translucent entries, so the
// premultiplied conversion matters.
func randomPaletted(rng *rand.Rand, r image.Rectangle) *image.Paletted {
	pal := make(color.Palette, 1+rng.IntN(256))
	for i := range pal {
		a := uint8(rng.IntN(256))
		pal[i] = color.NRGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), a}
	}
	m := image.NewPaletted(r, pal)
	for i := range m.Pix {
		m.Pix[i] = uint8(rng.IntN(len(pal)))
	}
	return m
}

func randomGray(rng *rand.Rand, r image.Rectangle) *image.Gray {
	m := image.NewGray(r)
	for i := range m.Pix {
		m.Pix[i] = uint8(rng.IntN(256))
	}
	return m
}

func randomCMYK(rng *rand.Rand, r image.Rectangle) *image.CMYK {
	m := image.NewCMYK(r)
	for i := range m.Pix {
		m.Pix[i] = uint8(rng.IntN(256))
	}
	return m
}

func randomRGBA64(rng *rand.Rand, r image.Rectangle) *image.RGBA64 {
	m := image.NewRGBA64(r)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			a := uint16(rng.IntN(65536))
			m.SetRGBA64(x, y, color.RGBA64{uint16(rng.IntN(int(a) + 1)), uint16(rng.IntN(int(a) + 1)), uint16(rng.IntN(int(a) + 1)), a})
		}
	}
	return m
}

// TestGrayscaleMatchesGrayModel holds every fast path to
// color.GrayModel.Convert(src.At(x, y)), pixel for pixel, on random images
// of odd sizes, at the origin and away from it (as sub-images are).
func TestGrayscaleMatchesGrayModel(t *testing.T) {
	ratios := []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	}
	rects := []image.Rectangle{
		image.Rect(0, 0, 1, 1),
		image.Rect(0, 0, 37, 23),
		image.Rect(3, 5, 64, 41),
		image.Rect(-5, -3, 19, 14), // negative origin: YCbCr takes the generic path
	}
	rng := newRand(4)
	type gen struct {
		name string
		make func(image.Rectangle) image.Image
	}
	gens := []gen{
		{"rgba", func(r image.Rectangle) image.Image { return randomRGBA(rng, r) }},
		{"nrgba", func(r image.Rectangle) image.Image { return randomNRGBA(rng, r) }},
		{"gray", func(r image.Rectangle) image.Image { return randomGray(rng, r) }},
		{"paletted", func(r image.Rectangle) image.Image { return randomPaletted(rng, r) }},
		{"cmyk", func(r image.Rectangle) image.Image { return randomCMYK(rng, r) }},
		{"rgba64", func(r image.Rectangle) image.Image { return randomRGBA64(rng, r) }},
	}
	for _, ratio := range ratios {
		gens = append(gens, gen{"ycbcr" + ratio.String(), func(r image.Rectangle) image.Image { return randomYCbCr(rng, r, ratio) }})
	}
	for _, g := range gens {
		for _, r := range rects {
			t.Run(fmt.Sprintf("type=%s/rect=%v", g.name, r), func(t *testing.T) {
				for range 3 {
					src := g.make(r)
					got := imaging.Grayscale(src)
					require.Equal(t, image.Rect(0, 0, r.Dx(), r.Dy()), got.Rect)
					for y := r.Min.Y; y < r.Max.Y; y++ {
						for x := r.Min.X; x < r.Max.X; x++ {
							want := color.GrayModel.Convert(src.At(x, y)).(color.Gray)
							if g := got.GrayAt(x-r.Min.X, y-r.Min.Y); g != want {
								require.Failf(t, "pixel differs", "at (%d,%d) of %v: want %d, got %d (source %v)", x, y, r, want.Y, g.Y, src.At(x, y))
							}
						}
					}
				}
			})
		}
	}
}

// TestGrayscaleYCbCrEveryValue covers all 2^24 (Y, Cb, Cr) triples once,
// since the YCbCr path re-implements clamping that random images may not
// reach at every edge.
func TestGrayscaleYCbCrEveryValue(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("16 M pixels of arithmetic; TestGrayscaleMatchesGrayModel samples them")
	}
	m := image.NewYCbCr(image.Rect(0, 0, 4096, 4096), image.YCbCrSubsampleRatio444)
	for i := range m.Y {
		m.Y[i], m.Cb[i], m.Cr[i] = uint8(i>>16), uint8(i>>8), uint8(i)
	}
	got := imaging.Grayscale(m)
	for i, g := range got.Pix {
		want := color.GrayModel.Convert(color.YCbCr{Y: m.Y[i], Cb: m.Cb[i], Cr: m.Cr[i]}).(color.Gray).Y
		if g != want {
			require.Failf(t, "pixel differs", "YCbCr(%d,%d,%d): want %d, got %d", m.Y[i], m.Cb[i], m.Cr[i], want, g)
		}
	}
}
