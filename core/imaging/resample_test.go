package imaging_test

import (
	"fmt"
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core/imaging"
)

// resampleTolerance is how far, per 8-bit channel, the resampler may be
// from draw.CatmullRom.Scale: it sums in float32, draw in float64, and a
// sum a hair either side of a rounding boundary may land one unit apart.
const resampleTolerance = 1

// requireNear holds got to want within tol per channel.
func requireNear(t *testing.T, want, got *image.RGBA, tol int) {
	t.Helper()
	require.Equal(t, want.Rect.Size(), got.Rect.Size(), "size")
	for y := range want.Rect.Dy() {
		w := want.Pix[y*want.Stride:][:4*want.Rect.Dx()]
		g := got.Pix[y*got.Stride:][:4*want.Rect.Dx()]
		for i := range w {
			if d := int(w[i]) - int(g[i]); d > tol || d < -tol {
				require.Failf(t, "pixel differs", "at (%d,%d) channel %d: want %v, got %v",
					i/4, y, i%4, w[i-i%4:i-i%4+4], g[i-i%4:i-i%4+4])
			}
		}
	}
}

// TestResampleMatchesCatmullRom holds the streaming resampler to
// draw.CatmullRom.Scale on random images, over scale factors from 1 (an
// axis kept) through the under-2x range Thumbnail uses to large ones,
// thin images, and sizes that do not divide.
func TestResampleMatchesCatmullRom(t *testing.T) {
	type size struct{ w, h int }
	tests := []struct {
		give size
		want size
	}{
		{size{1, 1}, size{1, 1}},
		{size{2, 2}, size{1, 1}},
		{size{3, 3}, size{2, 2}},
		{size{5, 4}, size{4, 3}},
		{size{40, 30}, size{40, 30}},
		{size{40, 30}, size{39, 29}},
		{size{40, 30}, size{40, 17}},
		{size{40, 30}, size{21, 30}},
		{size{101, 67}, size{100, 66}},
		{size{101, 67}, size{76, 50}},
		{size{101, 67}, size{51, 34}},
		{size{101, 67}, size{50, 33}},
		{size{128, 96}, size{65, 49}},
		{size{257, 193}, size{129, 97}},
		{size{97, 61}, size{31, 20}},
		{size{97, 61}, size{12, 7}},
		{size{64, 64}, size{5, 5}},
		{size{300, 7}, size{211, 5}},
		{size{7, 300}, size{5, 211}},
		{size{300, 1}, size{200, 1}},
		{size{1, 300}, size{1, 200}},
		{size{300, 2}, size{7, 1}},
		{size{2, 300}, size{1, 7}},
		{size{9, 9}, size{1, 1}},
		{size{3000, 4}, size{1999, 3}},
		{size{20, 15}, size{37, 29}}, // enlarging: Thumbnail never does, the resampler can
	}
	rng := newRand(21)
	for _, tt := range tests {
		t.Run(fmt.Sprintf("give=%dx%d/want=%dx%d", tt.give.w, tt.give.h, tt.want.w, tt.want.h), func(t *testing.T) {
			src := randomRGBA(rng, image.Rect(0, 0, tt.give.w, tt.give.h))
			want := plainCatmullRom(src, tt.want.w, tt.want.h)
			requireNear(t, want, imaging.Resample(src, tt.want.w, tt.want.h, imaging.ResampleStripe), resampleTolerance)
		})
	}
}

// TestResampleStripes: cutting the destination into stripes of columns
// changes nothing, whatever the stripe width, and a source of any type or
// origin resamples exactly as its RGBA copy does.
func TestResampleStripes(t *testing.T) {
	rng := newRand(22)
	r := image.Rect(-5, 3, -5+203, 3+77)
	tests := []struct {
		name string
		give image.Image
	}{
		{"rgba", randomRGBA(rng, r)},
		{"nrgba", randomNRGBA(rng, r)},
		{"paletted", randomPaletted(rng, r)},
		{"ycbcr420", randomYCbCr(rng, image.Rect(0, 0, 203, 77), image.YCbCrSubsampleRatio420)},
		{"gray", randomGray(rng, r)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			copied := imaging.ToRGBA(tt.give)
			for _, want := range []image.Point{{150, 57}, {203, 40}, {101, 77}} {
				whole := imaging.Resample(copied, want.X, want.Y, imaging.ResampleStripe)
				for _, stripe := range []int{1, 7, 64, imaging.ResampleStripe} {
					requireSameRGBA(t, whole, imaging.Resample(tt.give, want.X, want.Y, stripe))
				}
			}
		})
	}
}

// TestResampleClampsLikeCatmullRom: on pixels that are not valid
// premultiplied colour (channels above alpha) and on hard edges, where the
// kernel's negative lobes overshoot, the result is clamped as draw clamps.
func TestResampleClampsLikeCatmullRom(t *testing.T) {
	rng := newRand(23)
	invalid := image.NewRGBA(image.Rect(0, 0, 61, 43))
	for i := range invalid.Pix {
		invalid.Pix[i] = uint8(rng.IntN(256))
	}
	edges := image.NewRGBA(image.Rect(0, 0, 61, 43))
	for y := range 43 {
		for x := range 61 {
			if (x/3+y/2)%2 == 0 {
				edges.SetRGBA(x, y, color.RGBA{255, 255, 255, 255})
			}
		}
	}
	tests := []struct {
		name string
		give *image.RGBA
	}{
		{"invalid premultiplied", invalid},
		{"hard edges", edges},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, want := range []image.Point{{60, 42}, {45, 32}, {31, 22}, {17, 40}} {
				requireNear(t, plainCatmullRom(tt.give, want.X, want.Y), imaging.Resample(tt.give, want.X, want.Y, 16), resampleTolerance)
			}
		})
	}
}
