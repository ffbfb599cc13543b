package imaging_test

import (
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core/imaging"
)

func TestThumbnailSize(t *testing.T) {
	type size struct{ w, h int }
	tests := []struct {
		name string
		give size
		box  size
		want size
	}{
		{"large landscape", size{2000, 1500}, size{128, 128}, size{128, 96}},
		{"large portrait", size{1500, 2000}, size{128, 128}, size{96, 128}},
		{"free width", size{1024, 768}, size{0, 100}, size{133, 100}},
		{"free height", size{1024, 768}, size{100, 0}, size{100, 75}},
		{"less than 2x, no box step", size{300, 200}, size{200, 200}, size{200, 133}},
		{"exact integer factor", size{640, 480}, size{160, 0}, size{160, 120}},
		{"odd sizes", size{333, 777}, size{50, 50}, size{21, 50}},
		{"thin strip", size{1000, 3}, size{10, 10}, size{10, 1}},
		{"fits", size{64, 48}, size{128, 128}, size{64, 48}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := image.NewRGBA(image.Rect(0, 0, tt.give.w, tt.give.h))
			got, err := imaging.Thumbnail(src, tt.box.w, tt.box.h)
			require.NoError(t, err)
			assert.Equal(t, image.Rect(0, 0, tt.want.w, tt.want.h), got.Bounds())
		})
	}
}

func TestThumbnailReturnsAnImageThatFitsUnchanged(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 40, 30))
	got, err := imaging.Thumbnail(src, 40, 0)
	require.NoError(t, err)
	assert.Same(t, src, got)
}

func TestThumbnailRefusesEmptyBox(t *testing.T) {
	_, err := imaging.Thumbnail(image.NewGray(image.Rect(0, 0, 4, 4)), 0, 0)
	assert.ErrorIs(t, err, imaging.ErrArgument)
}

// TestThumbnailKeepsFlatColour: averaging and a normalised kernel must not
// drift a flat image, whatever its type, origin or the factor.
func TestThumbnailKeepsFlatColour(t *testing.T) {
	c := color.NRGBA{200, 120, 30, 255}
	src := image.NewNRGBA(image.Rect(-7, 5, 1000-7, 705))
	for i := 0; i < len(src.Pix); i += 4 {
		src.Pix[i], src.Pix[i+1], src.Pix[i+2], src.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	for _, box := range []int{333, 250, 64, 7, 1} {
		got, err := imaging.Thumbnail(src, box, box)
		require.NoError(t, err)
		b := got.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				require.Equal(t, color.RGBA{200, 120, 30, 255}, color.RGBAModel.Convert(got.At(x, y)), "box %d at (%d,%d)", box, x, y)
			}
		}
	}
}

// TestBoxShrinkMatchesBlockMeans holds the box step to a plain per-block
// mean over the same block edges (i*w/iw), rounding to nearest, with
// factors equal or not on the two axes, and rows wider than the column
// sums it keeps (blocks then straddle chunks, or span several).
func TestBoxShrinkMatchesBlockMeans(t *testing.T) {
	rng := newRand(3)
	tests := []struct {
		w, h, kx, ky int
	}{
		{8, 8, 2, 2}, {9, 7, 2, 2}, {50, 31, 3, 3}, {64, 48, 4, 4}, {101, 67, 5, 5}, {17, 300, 8, 8},
		{40, 30, 1, 2}, {40, 30, 3, 1}, {300, 3, 100, 3}, {3, 300, 1, 60},
		{40000, 3, 3, 1}, {40001, 2, 7, 2}, {40000, 1, 40000, 1}, {33000, 4, 16500, 3},
	}
	for _, tt := range tests {
		src := randomRGBA(rng, image.Rect(0, 0, tt.w, tt.h))
		iw, ih := tt.w/tt.kx, tt.h/tt.ky
		got := imaging.BoxShrink(src, iw, ih)
		require.Equal(t, image.Rect(0, 0, iw, ih), got.Rect)
		for j := range ih {
			for i := range iw {
				x0, x1 := i*tt.w/iw, (i+1)*tt.w/iw
				y0, y1 := j*tt.h/ih, (j+1)*tt.h/ih
				var sum [4]int
				for y := y0; y < y1; y++ {
					for x := x0; x < x1; x++ {
						p := src.RGBAAt(x, y)
						sum[0] += int(p.R)
						sum[1] += int(p.G)
						sum[2] += int(p.B)
						sum[3] += int(p.A)
					}
				}
				n := (x1 - x0) * (y1 - y0)
				want := color.RGBA{uint8((sum[0] + n/2) / n), uint8((sum[1] + n/2) / n), uint8((sum[2] + n/2) / n), uint8((sum[3] + n/2) / n)}
				require.Equal(t, want, got.RGBAAt(i, j), "%dx%d k=%dx%d block (%d,%d)", tt.w, tt.h, tt.kx, tt.ky, i, j)
			}
		}
	}
}

// TestThumbnailCloseToPlainCatmullRom: the box step is an optimisation, so
// the result must stay near CatmullRom over the whole source, on a smooth
// image where both are well defined.
func TestThumbnailCloseToPlainCatmullRom(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 1200, 900))
	for y := range 900 {
		for x := range 1200 {
			src.SetRGBA(x, y, color.RGBA{uint8(x * 255 / 1199), uint8(y * 255 / 899), uint8((x + y) % 256 / 2), 255})
		}
	}
	got, err := imaging.Thumbnail(src, 100, 100)
	require.NoError(t, err)
	want := plainCatmullRom(src, 100, 75)
	b := got.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g := color.RGBAModel.Convert(got.At(x, y)).(color.RGBA)
			w := want.RGBAAt(x, y)
			require.InDelta(t, w.R, g.R, 3, "R at (%d,%d)", x, y)
			require.InDelta(t, w.G, g.G, 3, "G at (%d,%d)", x, y)
		}
	}
}

// TestBoxShrinkConvertsInStrips: a source of another type, away from the
// origin, shrinks exactly as its full RGBA copy does, also when its blocks
// are taller than a converted strip or its rows wider than a chunk.
func TestBoxShrinkConvertsInStrips(t *testing.T) {
	rng := newRand(18)
	type size struct{ w, h int }
	factors := []size{{2, 2}, {3, 3}, {7, 7}, {1, 3}, {5, 1}}
	sizes := []size{{97, 61}, {40000, 3}, {5, 200}}
	tests := []struct {
		name string
		give func(r image.Rectangle) image.Image
	}{
		{"nrgba", func(r image.Rectangle) image.Image { return randomNRGBA(rng, r) }},
		{"paletted", func(r image.Rectangle) image.Image { return randomPaletted(rng, r) }},
		{"ycbcr420", func(r image.Rectangle) image.Image {
			return randomYCbCr(rng, image.Rectangle{Max: r.Size()}, image.YCbCrSubsampleRatio420)
		}},
		{"gray", func(r image.Rectangle) image.Image { return randomGray(rng, r) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, sz := range sizes {
				src := tt.give(image.Rect(3, -4, 3+sz.w, -4+sz.h))
				copied := imaging.ToRGBA(src)
				for _, k := range append(factors, size{sz.w / 2, sz.h / 2}) {
					iw, ih := sz.w/min(k.w, sz.w), sz.h/min(k.h, sz.h)
					want := imaging.BoxShrink(copied, iw, ih)
					got := imaging.BoxShrink(src, iw, ih)
					requireSameRGBA(t, want, got)
				}
			}
		})
	}
}

// TestThumbnailWithoutBoxStep: under 2x on both sides there is no box
// step, and the result is draw.CatmullRom.Scale's on the RGBA copy of the
// source, within the resampler's tolerance, whatever the source's type.
func TestThumbnailWithoutBoxStep(t *testing.T) {
	rng := newRand(25)
	r := image.Rect(2, -3, 2+143, -3+107)
	tests := []struct {
		name string
		give image.Image
		box  image.Point
	}{
		{"rgba just under", randomRGBA(rng, r), image.Pt(142, 106)},
		{"rgba at 1.5x", randomRGBA(rng, r), image.Pt(95, 0)},
		{"nrgba under 2x", randomNRGBA(rng, r), image.Pt(0, 54)},
		{"paletted just under", randomPaletted(rng, r), image.Pt(0, 106)},
		{"ycbcr420 at 1.3x", randomYCbCr(rng, image.Rect(0, 0, 143, 107), image.YCbCrSubsampleRatio420), image.Pt(110, 110)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := imaging.Thumbnail(tt.give, tt.box.X, tt.box.Y)
			require.NoError(t, err)
			b := got.Bounds()
			want := plainCatmullRom(imaging.ToRGBA(tt.give), b.Dx(), b.Dy())
			requireNear(t, want, got.(*image.RGBA), resampleTolerance)
		})
	}
}
