package imaging

import (
	"errors"
	"fmt"
	"image"

	"github.com/tcpimg/tcpimg/core/imaging/jpegscale"
)

// DecodeThumbnail decodes data under the pixel limit, as [Decode] does,
// and scales it to fit inside maxW x maxH, as [Thumbnail] does, returning
// the thumbnail and the input's format.
//
// A JPEG that shrinks by 4 or more on both axes is reduced while it is
// decoded ("shrink on load", as libvips does): by the largest of 1/8,
// 1/4 and 1/2 that still leaves the final resize a factor of at least 2,
// so that the Catmull-Rom step keeps the last octave of detail. Each
// reduced pixel is the mean of the pixels it replaces (see
// [jpegscale.Decode]), which is what Thumbnail's box step would have
// computed from the full decode, so the result matches the full path's
// within rounding (over 35 dB PSNR) while the work and the memory shrink
// with the scale: the inverse DCT makes 1/4, 1/16 or 1/64 of the pixels,
// a baseline JPEG never exists at full size, and a progressive one at 1/8
// is read from its DC scans alone. A progressive JPEG at 1/2 or 1/4 holds
// its coefficients, 2 bytes per sample, until the last scan.
//
// JPEGs the reduced decoder leaves to image/jpeg (CMYK, YCCK, RGB, 4:4:0
// and 4:1:1 sampling) take the full path; so does every other format.
// Neither path applies an EXIF orientation: the thumbnail is in the
// stored orientation, like the full decode.
func DecodeThumbnail(data []byte, maxW, maxH int, maxPixels int64) (image.Image, string, error) {
	cfg, format, err := DecodeConfig(data, maxPixels)
	if err != nil {
		return nil, "", err
	}
	tw, th, err := FitSize(cfg.Width, cfg.Height, maxW, maxH)
	if err != nil {
		return nil, "", err
	}
	if denom := ShrinkOnLoad(cfg.Width, cfg.Height, tw, th); format == JPEG && denom > 1 {
		if err := checkJPEGScans(data); err != nil {
			return nil, "", err
		}
		img, err := jpegscale.Decode(data, denom, maxPixels)
		switch {
		case err == nil:
			return scaleReduced(img, denom, cfg.Width, cfg.Height, tw, th), format, nil
		case errors.Is(err, jpegscale.ErrTooLarge):
			return nil, "", fmt.Errorf("%w: %v", ErrTooLarge, err)
		case !errors.Is(err, jpegscale.ErrUnsupported):
			return nil, "", fmt.Errorf("%w: jpeg: %v", ErrCorrupt, err)
		}
	}
	img, format, err := Decode(data, maxPixels)
	if err != nil {
		return nil, "", err
	}
	res, err := Thumbnail(img, maxW, maxH)
	if err != nil {
		return nil, "", err
	}
	return res, format, nil
}

// scaleReduced finishes a thumbnail from src, the w x h image decoded at
// 1/denom, the way [Thumbnail] finishes it from the full image: the box
// step averages exactly the blocks of full-size pixels that Thumbnail's
// would (edges at i*w/iw), each reduced pixel weighted by how many of the
// full-size pixels it stands for lie in the block, and the same
// Catmull-Rom step follows. Only a block's edge cells differ from the
// full path, by the detail inside a cell, so the two thumbnails agree
// closely; scaling the reduced image on its own grid instead gives a
// visibly different (if equally valid) filter, some 31 dB from the full
// path on the sample scenes.
func scaleReduced(src image.Image, denom, w, h, tw, th int) image.Image {
	kx, ky := w/tw, h/th
	mid := areaBox(src, denom, w, h, w/kx, h/ky)
	if mid.Rect.Dx() == tw && mid.Rect.Dy() == th {
		return mid
	}
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	resample(dst, mid, resampleStripe)
	return dst
}

// areaTaps lists, for each of n blocks of a side of size full (block i
// spans full-size pixels i*full/n up to (i+1)*full/n), the first cell of
// size denom it overlaps (first[i]) and how many of its pixels fall in
// each cell from there (weights[off[i]:off[i+1]]).
func areaTaps(full, n, denom int) (first, off []int, weights []uint32) {
	first, off = make([]int, n), make([]int, n+1)
	weights = make([]uint32, 0, n+full/denom+1)
	for i := range n {
		x0, x1 := i*full/n, (i+1)*full/n
		first[i] = x0 / denom
		for p := x0 / denom; p*denom < x1; p++ {
			weights = append(weights, uint32(min(x1, (p+1)*denom)-max(x0, p*denom)))
		}
		off[i+1] = len(weights)
	}
	return first, off, weights
}

// areaBox averages src, a w x h image reduced by denom (its pixel (p, q)
// stands for full-size pixels [p*denom, p*denom+denom) on each axis), over
// the full-size blocks of an iw x ih box step, rounding to nearest. A
// source that is not RGBA is converted a strip of rows at a time, so no
// RGBA copy of it is made.
func areaBox(src image.Image, denom, w, h, iw, ih int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, iw, ih))
	xFirst, xOff, xw := areaTaps(w, iw, denom)
	yFirst, yOff, yw := areaTaps(h, ih, denom)
	sb := src.Bounds()
	rows := newRowSource(src)
	rows.columns(0, sb.Dx())
	acc := make([]uint64, 4*iw)
	for j := range ih {
		clear(acc)
		for dq, wy := range yw[yOff[j]:yOff[j+1]] {
			row := rows.row(min(yFirst[j]+dq, sb.Dy()-1))
			for i := range iw {
				a := acc[4*i : 4*i+4 : 4*i+4]
				p0 := xFirst[i]
				for dp, wx := range xw[xOff[i]:xOff[i+1]] {
					p := min(p0+dp, sb.Dx()-1)
					px := row[4*p : 4*p+4 : 4*p+4]
					wt := uint64(wx * wy)
					a[0] += wt * uint64(px[0])
					a[1] += wt * uint64(px[1])
					a[2] += wt * uint64(px[2])
					a[3] += wt * uint64(px[3])
				}
			}
		}
		n0 := uint64((j+1)*h/ih - j*h/ih)
		out := dst.Pix[j*dst.Stride:]
		for i := range iw {
			n := n0 * uint64((i+1)*w/iw-i*w/iw)
			for c := range 4 {
				out[4*i+c] = uint8((acc[4*i+c] + n/2) / n)
			}
		}
	}
	return dst
}

// ShrinkOnLoad returns the JPEG scale denominator (1, 2, 4 or 8) that
// [DecodeThumbnail] decodes a w x h image at for a tw x th thumbnail: the
// largest that leaves at least a factor of 2 on both axes for the
// resize after it.
func ShrinkOnLoad(w, h, tw, th int) int {
	for _, d := range []int{8, 4, 2} {
		if int64(w) >= int64(2*d)*int64(tw) && int64(h) >= int64(2*d)*int64(th) {
			return d
		}
	}
	return 1
}
