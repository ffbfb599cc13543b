package imaging

import (
	"image"
	"image/color"
	"image/draw"
)

// toRGBA returns img as premultiplied RGBA with its origin at (0, 0),
// converting once so that every operation after it can loop over Pix.
// An *image.RGBA already at the origin is returned as is; callers that
// write into the result check for that (operations never write to their
// input).
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	if m, ok := img.(*image.RGBA); ok && b.Min == (image.Point{}) {
		return m
	}
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	convertRect(dst, img, 0, 0)
	return dst
}

// convertRect fills dst (origin at 0,0) with the pixels of src from column
// x0 and row y0 on (counted from src's top left), as many as dst holds.
// Converting a strip at a time lets an operation that only needs a few
// rows at once skip the full-size copy. image/draw has fast paths for the
// decoders' usual types (YCbCr, NRGBA, Gray, CMYK, RGBA); Paletted gets
// one here because draw takes its generic per-pixel path for it.
func convertRect(dst *image.RGBA, src image.Image, x0, y0 int) {
	b := src.Bounds()
	if p, ok := src.(*image.Paletted); ok {
		palettedRect(dst, p, x0, y0)
		return
	}
	draw.Draw(dst, dst.Rect, src, image.Pt(b.Min.X+x0, b.Min.Y+y0), draw.Src)
}

// palettedRect converts through a 256-entry table of premultiplied
// colours. An index past the palette (which decoders reject) becomes
// transparent black instead of panicking.
func palettedRect(dst *image.RGBA, src *image.Paletted, x0, y0 int) {
	var lut [256][4]uint8
	for i, c := range src.Palette {
		if i == len(lut) {
			break
		}
		if c == nil {
			continue
		}
		rgba := color.RGBAModel.Convert(c).(color.RGBA)
		lut[i] = [4]uint8{rgba.R, rgba.G, rgba.B, rgba.A}
	}
	b := src.Bounds()
	w := dst.Rect.Dx()
	for y := range dst.Rect.Dy() {
		s := src.Pix[src.PixOffset(b.Min.X+x0, b.Min.Y+y0+y):][:w]
		d := dst.Pix[y*dst.Stride:][:4*w]
		for x, idx := range s {
			c := &lut[idx]
			d[4*x], d[4*x+1], d[4*x+2], d[4*x+3] = c[0], c[1], c[2], c[3]
		}
	}
}
