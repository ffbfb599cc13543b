package imaging

import (
	"image"
	"image/color"
)

// Grayscale returns src as 8-bit gray, every pixel exactly what
// color.GrayModel.Convert(src.At(x, y)) gives: luma of the premultiplied
// colour, alpha dropped. PROTOCOL.md promises Go's GrayModel, so the fast
// paths below repeat its arithmetic (and, for YCbCr, the arithmetic of
// color.YCbCr.RGBA) rather than approximating it; a test holds each of them
// to the model pixel for pixel. The result has its origin at (0, 0).
func Grayscale(src image.Image) *image.Gray {
	b := src.Bounds()
	dst := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	switch s := src.(type) {
	case *image.Gray:
		for y := range b.Dy() {
			copy(dst.Pix[y*dst.Stride:][:b.Dx()], s.Pix[s.PixOffset(b.Min.X, b.Min.Y+y):])
		}
	case *image.RGBA:
		grayRGBA(dst, s)
	case *image.NRGBA:
		grayNRGBA(dst, s)
	case *image.YCbCr:
		if !grayYCbCr(dst, s) {
			grayGeneric(dst, src)
		}
	case *image.Paletted:
		grayPaletted(dst, s)
	default:
		grayGeneric(dst, src)
	}
	return dst
}

// luma is color.GrayModel's formula on 16-bit premultiplied channels.
func luma(r, g, b uint32) uint8 {
	return uint8((19595*r + 38470*g + 7471*b + 1<<15) >> 24)
}

func grayGeneric(dst *image.Gray, src image.Image) {
	b := src.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		d := dst.Pix[(y-b.Min.Y)*dst.Stride:][:b.Dx()]
		for x := b.Min.X; x < b.Max.X; x++ {
			d[x-b.Min.X] = color.GrayModel.Convert(src.At(x, y)).(color.Gray).Y
		}
	}
}

func grayRGBA(dst *image.Gray, src *image.RGBA) {
	b := src.Bounds()
	w := b.Dx()
	for y := range b.Dy() {
		s := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:4*w]
		d := dst.Pix[y*dst.Stride:][:w]
		for x := range d {
			p := s[4*x : 4*x+3 : 4*x+3]
			d[x] = luma(uint32(p[0])*0x101, uint32(p[1])*0x101, uint32(p[2])*0x101)
		}
	}
}

// grayNRGBA premultiplies as color.NRGBA.RGBA does before taking luma.
func grayNRGBA(dst *image.Gray, src *image.NRGBA) {
	b := src.Bounds()
	w := b.Dx()
	for y := range b.Dy() {
		s := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:4*w]
		d := dst.Pix[y*dst.Stride:][:w]
		for x := range d {
			p := s[4*x : 4*x+4 : 4*x+4]
			a := uint32(p[3])
			d[x] = luma(uint32(p[0])*0x101*a/0xff, uint32(p[1])*0x101*a/0xff, uint32(p[2])*0x101*a/0xff)
		}
	}
}

// grayPaletted takes luma once per palette entry. An index past the
// palette (which decoders reject) gives black instead of a panic.
func grayPaletted(dst *image.Gray, src *image.Paletted) {
	var lut [256]uint8
	for i, c := range src.Palette {
		if i == len(lut) {
			break
		}
		if c != nil {
			lut[i] = color.GrayModel.Convert(c).(color.Gray).Y
		}
	}
	b := src.Bounds()
	w := b.Dx()
	for y := range b.Dy() {
		s := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:w]
		d := dst.Pix[y*dst.Stride:][:w]
		for x, idx := range s {
			d[x] = lut[idx]
		}
	}
}

// grayYCbCr converts through color.YCbCr.RGBA's integer arithmetic. It
// handles the subsample ratios image.YCbCr knows with non-negative bounds
// (where its x/2 and x>>1 agree) and reports false otherwise.
func grayYCbCr(dst *image.Gray, src *image.YCbCr) bool {
	var hs, vs uint // log2 of the chroma subsampling, horizontal and vertical
	switch src.SubsampleRatio {
	case image.YCbCrSubsampleRatio444:
	case image.YCbCrSubsampleRatio422:
		hs = 1
	case image.YCbCrSubsampleRatio420:
		hs, vs = 1, 1
	case image.YCbCrSubsampleRatio440:
		vs = 1
	case image.YCbCrSubsampleRatio411:
		hs = 2
	case image.YCbCrSubsampleRatio410:
		hs, vs = 2, 1
	default:
		return false
	}
	b := src.Rect
	if b.Min.X < 0 || b.Min.Y < 0 {
		return false
	}
	w := b.Dx()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		yrow := src.Y[(y-b.Min.Y)*src.YStride:][:w]
		ci := ((y >> vs) - (b.Min.Y >> vs)) * src.CStride
		cx0 := b.Min.X >> hs
		d := dst.Pix[(y-b.Min.Y)*dst.Stride:][:w]
		for i := range d {
			c := ci + ((b.Min.X + i) >> hs) - cx0
			d[i] = ycbcrLuma(yrow[i], src.Cb[c], src.Cr[c])
		}
	}
	return true
}

// ycbcrLuma is color.GrayModel.Convert(color.YCbCr{y, cb, cr}), inlined.
func ycbcrLuma(y, cb, cr uint8) uint8 {
	yy1 := int32(y) * 0x10101
	cb1 := int32(cb) - 128
	cr1 := int32(cr) - 128

	r := yy1 + 91881*cr1
	if uint32(r)&0xff000000 == 0 {
		r >>= 8
	} else {
		r = ^(r >> 31) & 0xffff
	}
	g := yy1 - 22554*cb1 - 46802*cr1
	if uint32(g)&0xff000000 == 0 {
		g >>= 8
	} else {
		g = ^(g >> 31) & 0xffff
	}
	bl := yy1 + 116130*cb1
	if uint32(bl)&0xff000000 == 0 {
		bl >>= 8
	} else {
		bl = ^(bl >> 31) & 0xffff
	}
	return luma(uint32(r), uint32(g), uint32(bl))
}
