package imaging

import "image"

// Internals that tests hold to a reference implementation.
var (
	BoxShrink = boxShrink
	BoxBlur   = boxBlur
	ToRGBA    = toRGBA
)

// Divide divides x by d the way the blur does.
func Divide(x, d uint32) uint32 { return newDivider(d).div(x) }

// Resample scales src to w x h the way Thumbnail's last step does,
// stripe destination columns at a time.
func Resample(src image.Image, w, h, stripe int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	resample(dst, src, stripe)
	return dst
}

// ResampleStripe is the stripe width Thumbnail uses.
const ResampleStripe = resampleStripe
