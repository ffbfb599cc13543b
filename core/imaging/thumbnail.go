package imaging

import (
	"fmt"
	"image"

	xdraw "golang.org/x/image/draw"
)

// FitSize returns the size an image of w x h takes inside a box of
// maxW x maxH (0 = that side is free): aspect ratio kept, never enlarged.
// The side that limits the fit equals the box exactly; the other is
// rounded to the nearest pixel (halves up), at least 1. Integer arithmetic
// throughout, so the same inputs give the same size on every machine.
// An image that already fits keeps its size. A 0x0 box, a negative box or a
// non-positive image size is [ErrArgument].
func FitSize(w, h, maxW, maxH int) (int, int, error) {
	switch {
	case w <= 0 || h <= 0:
		return 0, 0, fmt.Errorf("%w: image size %dx%d", ErrArgument, w, h)
	case maxW < 0 || maxH < 0 || (maxW == 0 && maxH == 0):
		return 0, 0, fmt.Errorf("%w: thumbnail box %dx%d", ErrArgument, maxW, maxH)
	}
	// Never enlarging makes a free side, or one wider than the image, the
	// same as a box side equal to the image's.
	bw, bh := maxW, maxH
	if bw == 0 || bw > w {
		bw = w
	}
	if bh == 0 || bh > h {
		bh = h
	}
	if bw == w && bh == h {
		return w, h, nil
	}
	// Width limits when bw/w <= bh/h. Sides fit in 31 bits, so products fit
	// in 62 and the doubled numerator of roundDiv in 63.
	if uint64(bw)*uint64(h) <= uint64(bh)*uint64(w) {
		return bw, roundDiv(uint64(h)*uint64(bw), uint64(w)), nil
	}
	return roundDiv(uint64(w)*uint64(bh), uint64(h)), bh, nil
}

// roundDiv returns a/b rounded to nearest, halves up, at least 1.
func roundDiv(a, b uint64) int {
	return max(1, int((2*a+b)/(2*b)))
}

// Thumbnail scales src to fit inside maxW x maxH as [FitSize] says. An
// image that already fits is returned unchanged (the caller re-encodes it).
//
// Scaling is CatmullRom from golang.org/x/image/draw, but only over the
// last factor of two: CatmullRom's cost grows with the scale factor (its
// kernel widens to cover every source pixel), so the source is first
// shrunk by an integer box factor k, averaging blocks of pixels, until it
// is within 2x of the target. That is what fast thumbnailers do, and box
// averaging is exactly right for the part of the shrink it performs.
func Thumbnail(src image.Image, maxW, maxH int) (image.Image, error) {
	b := src.Bounds()
	tw, th, err := FitSize(b.Dx(), b.Dy(), maxW, maxH)
	if err != nil {
		return nil, err
	}
	if tw == b.Dx() && th == b.Dy() {
		return src, nil
	}
	var mid *image.RGBA
	if k := min(b.Dx()/tw, b.Dy()/th); k >= 2 {
		mid = boxShrink(src, b.Dx()/k, b.Dy()/k)
		if mid.Rect.Dx() == tw && mid.Rect.Dy() == th {
			return mid, nil
		}
	} else {
		mid = toRGBA(src)
	}
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	xdraw.CatmullRom.Scale(dst, dst.Rect, mid, mid.Rect, xdraw.Src, nil)
	return dst, nil
}

// boxShrink averages src down to iw x ih, where iw = w/k and ih = h/k for
// an integer k >= 2. Block edges fall at i*w/iw, so blocks are k or k+1
// pixels on a side and tile the whole source: nothing is cropped and
// nothing shifts. Averages are of premultiplied values, rounded to nearest.
//
// A source that is not RGBA already is converted one block row at a time
// into a strip of k+1 rows, so no full-size RGBA copy is ever made. Each
// block row first sums its source rows column by column (a loop the
// compiler keeps tight), then sums across each block of columns once;
// summing block by block within every source row costs nearly twice as
// much.
func boxShrink(src image.Image, iw, ih int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dst := image.NewRGBA(image.Rect(0, 0, iw, ih))
	xs := make([]int, iw+1)
	for i := range xs {
		xs[i] = 4 * (i * w / iw) // byte offsets of block edges in a row
	}
	rgba, direct := src.(*image.RGBA)
	var strip *image.RGBA
	if !direct {
		strip = image.NewRGBA(image.Rect(0, 0, w, (h+ih-1)/ih))
	}
	cols := make([]uint32, 4*w) // at most k+1 rows of 255: no overflow
	for j := range ih {
		y0, y1 := j*h/ih, (j+1)*h/ih
		clear(cols)
		if direct {
			for y := y0; y < y1; y++ {
				addColumns(cols, rgba.Pix[rgba.PixOffset(b.Min.X, b.Min.Y+y):][:4*w])
			}
		} else {
			strip.Rect.Max.Y = y1 - y0 // blocks are k or k+1 rows tall
			convertRows(strip, src, y0)
			for y := range y1 - y0 {
				addColumns(cols, strip.Pix[y*strip.Stride:][:4*w])
			}
		}
		out := dst.Pix[j*dst.Stride:][:4*iw]
		rows := uint64(y1 - y0)
		for i := range iw {
			var r, g, b, a uint64
			seg := cols[xs[i]:xs[i+1]]
			for p := 0; p+3 < len(seg); p += 4 {
				s := seg[p : p+4 : p+4]
				r += uint64(s[0])
				g += uint64(s[1])
				b += uint64(s[2])
				a += uint64(s[3])
			}
			n := rows * uint64(len(seg)/4)
			o := out[4*i : 4*i+4 : 4*i+4]
			o[0] = uint8((r + n/2) / n)
			o[1] = uint8((g + n/2) / n)
			o[2] = uint8((b + n/2) / n)
			o[3] = uint8((a + n/2) / n)
		}
	}
	return dst
}

// addColumns adds one RGBA row into per-channel column sums.
func addColumns(cols []uint32, row []uint8) {
	cols = cols[:len(row)]
	for i := 0; i+3 < len(row); i += 4 {
		c := cols[i : i+4 : i+4]
		p := row[i : i+4 : i+4]
		c[0] += uint32(p[0])
		c[1] += uint32(p[1])
		c[2] += uint32(p[2])
		c[3] += uint32(p[3])
	}
}
