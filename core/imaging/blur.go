package imaging

import (
	"fmt"
	"image"
	"math/bits"
)

// MaxBlurRadius bounds [Blur]'s radius: PROTOCOL.md allows 1..64, and the
// bound keeps a row's window sum (129 x 255) inside 16 bits.
const MaxBlurRadius = 64

// Blur returns src box-blurred with a square window of 2*radius+1 pixels;
// pixels beyond an edge repeat the edge pixel. Each output pixel is the
// mean of its window, of premultiplied values, rounded to nearest once
// (not once per pass), so the result equals the direct 2D mean exactly.
//
// The blur is separable and uses sliding sums: a pixel costs the same for
// radius 64 as for radius 1. Horizontal sums of the last 2*radius+2 rows
// are kept in a ring, so the working memory is a few rows, not another
// image. A radius outside 1..[MaxBlurRadius] is [ErrArgument].
func Blur(src image.Image, radius int) (*image.RGBA, error) {
	if radius < 1 || radius > MaxBlurRadius {
		return nil, fmt.Errorf("%w: blur radius %d out of 1..%d", ErrArgument, radius, MaxBlurRadius)
	}
	rgba := toRGBA(src)
	if rgba == src {
		return boxBlur(image.NewRGBA(rgba.Rect), rgba, radius), nil
	}
	// The converted copy is ours: blur it in place.
	return boxBlur(rgba, rgba, radius), nil
}

// boxBlur blurs src (origin at 0,0) with radius r into dst, which has
// src's bounds and may be src itself: source row y is read only once, into
// the ring of row sums, before output row y is written.
func boxBlur(dst, src *image.RGBA, r int) *image.RGBA {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	if w == 0 || h == 0 {
		return dst
	}
	n := 2*r + 1
	div := newDivider(uint32(n * n))
	half := uint32(n*n) / 2

	ringLen := min(2*r+2, h)
	ring := make([][]uint16, ringLen)
	buf := make([]uint16, ringLen*4*w)
	for i := range ring {
		ring[i] = buf[i*4*w : (i+1)*4*w : (i+1)*4*w]
	}
	row := func(y int) []uint16 { return ring[y%ringLen] }
	srcRow := func(y int) []uint8 { return src.Pix[y*src.Stride:][:4*w] }

	// The window of output row 0 spans rows -r..r, clamped.
	for y := 0; y <= min(r, h-1); y++ {
		hsum(row(y), srcRow(y), r)
	}
	col := make([]uint32, 4*w)
	for dy := -r; dy <= r; dy++ {
		addRow(col, row(min(max(dy, 0), h-1)))
	}
	for y := range h {
		out := dst.Pix[y*dst.Stride:][:4*w]
		if y == h-1 {
			for i, s := range col {
				out[i] = uint8(div.div(s + half))
			}
			break
		}
		// Slide the window down: drop row y-r, take in row y+r+1. The new
		// row's ring slot held row y-r-1, which has left the window
		// already, so the row to drop is still intact.
		next := y + r + 1
		if next < h {
			hsum(row(next), srcRow(next), r)
		}
		emitAndSlide(out, col, row(min(next, h-1)), row(max(y-r, 0)), div, half)
	}
	return dst
}

// emitAndSlide writes one output row from the column sums and moves the
// sums one row down, in a single pass over memory.
func emitAndSlide(out []uint8, col []uint32, take, drop []uint16, div divider, half uint32) {
	out = out[:len(col)]
	take, drop = take[:len(col)], drop[:len(col)]
	for i, s := range col {
		out[i] = uint8(div.div(s + half))
		col[i] = s + uint32(take[i]) - uint32(drop[i])
	}
}

// hsum writes into dst the sums of each pixel's horizontal window of radius
// r over one RGBA row, edges clamped. The row is walked in three stretches
// (window cut by the left edge, inside, cut by the right edge) so that the
// middle, where most pixels are, does no clamping.
func hsum(dst []uint16, src []uint8, r int) {
	w := len(src) / 4
	dst = dst[:len(src)]
	var s [4]uint32
	for dx := -r; dx <= r; dx++ {
		p := src[4*min(max(dx, 0), w-1):]
		s[0] += uint32(p[0])
		s[1] += uint32(p[1])
		s[2] += uint32(p[2])
		s[3] += uint32(p[3])
	}
	// At x the sum is written, then pixel x-r leaves the window and
	// x+r+1 enters it.
	x := 0
	for ; x < min(r, w); x++ {
		slide(dst[4*x:], src[0:], src[4*min(x+r+1, w-1):], &s)
	}
	for ; x < w-r-1; x++ {
		slide(dst[4*x:], src[4*(x-r):], src[4*(x+r+1):], &s)
	}
	for ; x < w; x++ {
		slide(dst[4*x:], src[4*(x-r):], src[4*(w-1):], &s)
	}
}

// slide stores the window sums s in d[:4], then takes pixel out[:4] out
// of them and pixel in[:4] in.
func slide(d []uint16, out, in []uint8, s *[4]uint32) {
	d, out, in = d[:4:4], out[:4:4], in[:4:4]
	d[0], d[1], d[2], d[3] = uint16(s[0]), uint16(s[1]), uint16(s[2]), uint16(s[3])
	s[0] += uint32(in[0]) - uint32(out[0])
	s[1] += uint32(in[1]) - uint32(out[1])
	s[2] += uint32(in[2]) - uint32(out[2])
	s[3] += uint32(in[3]) - uint32(out[3])
}

func addRow(col []uint32, row []uint16) {
	row = row[:len(col)]
	for i := range col {
		col[i] += uint32(row[i])
	}
}

// divider divides by a constant through a multiply and a shift, because a
// hardware division per channel would cost more than the blur's sums.
// It is exact for numerators below 2^divBits (Granlund and Montgomery,
// "Division by invariant integers using multiplication", 1994): with
// l = ceil(log2 d), m = floor(2^(divBits+l)/d) + 1.
type divider struct {
	m     uint64
	shift uint
}

// divBits covers a window sum plus rounding: at most 256 x 129^2 < 2^23.
const divBits = 23

func newDivider(d uint32) divider {
	l := uint(bits.Len32(d - 1)) // ceil(log2 d)
	s := divBits + l
	return divider{m: (uint64(1)<<s)/uint64(d) + 1, shift: s}
}

func (v divider) div(x uint32) uint32 { return uint32(uint64(x) * v.m >> v.shift) }
