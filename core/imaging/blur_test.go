package imaging_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core/imaging"
)

// naiveBlur is the definition: each pixel the rounded mean of its
// (2r+1)^2 window, coordinates clamped to the image.
func naiveBlur(src *image.RGBA, r int) *image.RGBA {
	b := src.Rect
	dst := image.NewRGBA(b)
	n := (2*r + 1) * (2*r + 1)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			var sum [4]int
			for dy := -r; dy <= r; dy++ {
				for dx := -r; dx <= r; dx++ {
					p := src.RGBAAt(min(max(x+dx, b.Min.X), b.Max.X-1), min(max(y+dy, b.Min.Y), b.Max.Y-1))
					sum[0] += int(p.R)
					sum[1] += int(p.G)
					sum[2] += int(p.B)
					sum[3] += int(p.A)
				}
			}
			dst.SetRGBA(x, y, color.RGBA{uint8((sum[0] + n/2) / n), uint8((sum[1] + n/2) / n), uint8((sum[2] + n/2) / n), uint8((sum[3] + n/2) / n)})
		}
	}
	return dst
}

func TestBlurMatchesNaive(t *testing.T) {
	// The reference costs radius squared per pixel: large radii run on
	// small images, which is also where the window outgrows the image.
	tests := []struct {
		sizes []image.Point
		radii []int
	}{
		{[]image.Point{{1, 1}, {1, 9}, {9, 1}, {2, 3}, {7, 5}, {16, 16}}, []int{1, 2, 3, 5, 8, 20, 64}},
		{[]image.Point{{33, 17}, {40, 70}}, []int{1, 2, 3, 5, 8}},
	}
	rng := newRand(5)
	for _, tt := range tests {
		for _, sz := range tt.sizes {
			for _, r := range tt.radii {
				t.Run(fmt.Sprintf("size=%dx%d/radius=%d", sz.X, sz.Y, r), func(t *testing.T) {
					src := randomRGBA(rng, image.Rect(0, 0, sz.X, sz.Y))
					got, err := imaging.Blur(src, r)
					require.NoError(t, err)
					requireSameRGBA(t, naiveBlur(src, r), got)
				})
			}
		}
	}
}

// TestBlurConvertsOnce: any input type and origin blurs as its RGBA copy.
func TestBlurConvertsOnce(t *testing.T) {
	src := randomNRGBA(newRand(6), image.Rect(4, -3, 30, 20))
	got, err := imaging.Blur(src, 3)
	require.NoError(t, err)
	assert.Equal(t, image.Rect(0, 0, 26, 23), got.Rect)
	requireSameRGBA(t, naiveBlur(imaging.ToRGBA(src), 3), got)
}

func TestBlurKeepsPremultipliedValid(t *testing.T) {
	got, err := imaging.Blur(randomRGBA(newRand(7), image.Rect(0, 0, 50, 50)), 4)
	require.NoError(t, err)
	for i := 0; i < len(got.Pix); i += 4 {
		a := got.Pix[i+3]
		require.True(t, got.Pix[i] <= a && got.Pix[i+1] <= a && got.Pix[i+2] <= a, "pixel %d: %v", i/4, got.Pix[i:i+4])
	}
}

func TestBlurRefusesRadius(t *testing.T) {
	for _, r := range []int{-1, 0, imaging.MaxBlurRadius + 1} {
		_, err := imaging.Blur(image.NewRGBA(image.Rect(0, 0, 4, 4)), r)
		assert.ErrorIs(t, err, imaging.ErrArgument, "radius %d", r)
	}
}

// TestDivideExact checks the blur's multiply-and-shift division for every
// window size. Both it and true division are non-decreasing in x, so
// agreeing at each multiple of d and just below it proves them equal on
// the whole range a window sum can take (below 256*d).
func TestDivideExact(t *testing.T) {
	for r := 1; r <= imaging.MaxBlurRadius; r++ {
		d := uint32((2*r + 1) * (2*r + 1))
		for q := uint32(0); q <= 256; q++ {
			for _, x := range []uint32{q * d, q*d + d - 1} {
				require.Equal(t, x/d, imaging.Divide(x, d), "x=%d d=%d", x, d)
			}
		}
	}
}

// TestBlurInPlace: blurring a buffer into itself gives the same result as
// into a fresh one, which is what Blur relies on for converted copies.
func TestBlurInPlace(t *testing.T) {
	rng := newRand(16)
	for _, r := range []int{1, 4, 30} {
		src := randomRGBA(rng, image.Rect(0, 0, 23, 41))
		want := naiveBlur(src, r)
		got := imaging.BoxBlur(src, src, r)
		require.Same(t, src, got)
		requireSameRGBA(t, want, got)
	}
}

func TestBlurLeavesRGBAInputAlone(t *testing.T) {
	src := randomRGBA(newRand(17), image.Rect(0, 0, 20, 20))
	before := bytes.Clone(src.Pix)
	_, err := imaging.Blur(src, 2)
	require.NoError(t, err)
	assert.Equal(t, before, src.Pix)
}
