package imaging

import (
	"fmt"
	"image"
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
// Scaling is Catmull-Rom, x/image/draw's kernel, but only over the last
// factor of two on each axis: the kernel widens with the scale factor to
// cover every source pixel, so its cost grows with it. The source is first
// shrunk by integer box factors (one per axis, so that a thin strip does
// not keep a large factor on its long side), averaging blocks of pixels,
// until each side is within 2x of the target. That is what fast
// thumbnailers do, and box averaging is exactly right for the part of the
// shrink it performs. The last step is [resample], which streams: its
// memory is a few rows, not a copy of the image in floating point, so a
// job costs its source, the result and, when there is a box step, its
// output (at most half the source's pixels), whatever the scale factor.
func Thumbnail(src image.Image, maxW, maxH int) (image.Image, error) {
	b := src.Bounds()
	tw, th, err := FitSize(b.Dx(), b.Dy(), maxW, maxH)
	if err != nil {
		return nil, err
	}
	return scaleTo(src, tw, th), nil
}

// scaleTo is Thumbnail's scaling onto exactly tw x th, which may change
// the aspect ratio slightly: a JPEG reduced while decoded has its sides
// rounded up to whole pixels, and its thumbnail must still have the size
// FitSize gives for the original.
func scaleTo(src image.Image, tw, th int) image.Image {
	b := src.Bounds()
	if tw == b.Dx() && th == b.Dy() {
		return src
	}
	if kx, ky := b.Dx()/tw, b.Dy()/th; kx >= 2 || ky >= 2 {
		mid := boxShrink(src, b.Dx()/kx, b.Dy()/ky)
		if mid.Rect.Dx() == tw && mid.Rect.Dy() == th {
			return mid
		}
		src = mid
	}
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	resample(dst, src, resampleStripe)
	return dst
}

// boxShrink averages src down to iw x ih, where iw = w/kx and ih = h/ky
// for integers kx, ky >= 1. Block edges fall at i*w/iw (and j*h/ih), so
// blocks are kx or kx+1 pixels wide, ky or ky+1 tall, and tile the whole
// source: nothing is cropped and nothing shifts. Averages are of
// premultiplied values, rounded to nearest.
//
// Each block row first sums its source rows column by column (a loop the
// compiler keeps tight), then sums across each block of columns once;
// summing block by block within every source row costs nearly twice as
// much. The column sums cover [boxChunk] source columns at a time, the
// blocks' sums carrying over from one chunk to the next, so that a strip
// a pixel tall and millions wide needs no column sums the size of its
// row. A source that is not RGBA already is converted a few rows of a
// chunk at a time, so no full-size RGBA copy is ever made.
func boxShrink(src image.Image, iw, ih int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dst := image.NewRGBA(image.Rect(0, 0, iw, ih))
	chunk := min(w, boxChunk)
	rgba, direct := src.(*image.RGBA)
	var strip *image.RGBA
	stripRows := min(convertStripRows, (h+ih-1)/ih)
	if !direct {
		strip = image.NewRGBA(image.Rect(0, 0, chunk, stripRows))
	}
	cols := make([]uint32, 4*chunk) // at most ky+1 rows of 255: no overflow
	for j := range ih {
		y0, y1 := j*h/ih, (j+1)*h/ih
		rows := uint64(y1 - y0)
		out := dst.Pix[j*dst.Stride:][:4*iw]
		i, x0, x1 := 0, 0, w/iw // the block being summed spans columns x0..x1-1
		var sum [4]uint64
		for c0 := 0; c0 < w; c0 += chunk {
			c1 := min(c0+chunk, w)
			cs := cols[:4*(c1-c0)]
			clear(cs)
			if direct {
				for y := y0; y < y1; y++ {
					addColumns(cs, rgba.Pix[rgba.PixOffset(b.Min.X+c0, b.Min.Y+y):][:len(cs)])
				}
			} else {
				for ys := y0; ys < y1; ys += stripRows {
					strip.Rect = image.Rect(0, 0, c1-c0, min(stripRows, y1-ys))
					convertRect(strip, src, c0, ys)
					for y := range strip.Rect.Dy() {
						addColumns(cs, strip.Pix[y*strip.Stride:][:len(cs)])
					}
				}
			}
			for c := c0; c < c1; {
				end := min(x1, c1)
				seg := cs[4*(c-c0) : 4*(end-c0)]
				for p := 0; p+3 < len(seg); p += 4 {
					s := seg[p : p+4 : p+4]
					sum[0] += uint64(s[0])
					sum[1] += uint64(s[1])
					sum[2] += uint64(s[2])
					sum[3] += uint64(s[3])
				}
				c = end
				if c < x1 {
					break // the block goes on in the next chunk
				}
				n := rows * uint64(x1-x0)
				o := out[4*i : 4*i+4 : 4*i+4]
				o[0] = uint8((sum[0] + n/2) / n)
				o[1] = uint8((sum[1] + n/2) / n)
				o[2] = uint8((sum[2] + n/2) / n)
				o[3] = uint8((sum[3] + n/2) / n)
				sum = [4]uint64{}
				i++
				x0, x1 = x1, (i+1)*w/iw
			}
		}
	}
	return dst
}

// boxChunk is how many source columns boxShrink sums at once: 256 KiB of
// column sums, enough that an ordinary image is summed in one go.
const boxChunk = 16384

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
