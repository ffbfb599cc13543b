package jpegscale

import "image"

// Quirks are the inputs on which Decode and image/jpeg may rightly differ.
type Quirks struct {
	// Extreme: a coefficient beyond what 8-bit encoders write, where
	// image/jpeg's integer transform overflows.
	Extreme bool
	// BlockRestarts: restart markers in a non-interleaved scan of a
	// component with several blocks per MCU, which image/jpeg miscounts.
	BlockRestarts bool
}

// DecodeQuirks is Decode that also reports the input's quirks, and lets
// a panic through, for the fuzz target to see.
func DecodeQuirks(data []byte, denom int, maxPixels int64) (image.Image, Quirks, error) {
	d := &decoder{data: data, n: 8 / denom, maxPixels: maxPixels}
	img, err := d.decode()
	if err != nil {
		img = nil
	}
	return img, Quirks{Extreme: d.extreme, BlockRestarts: d.blockRestarts}, err
}

// DecodeLowFrequency is Decode with libjpeg's reduced transform.
func DecodeLowFrequency(data []byte, denom int) (image.Image, error) {
	d := &decoder{data: data, n: 8 / denom, maxPixels: 1 << 40, form: formLowFrequency}
	return d.decodeSafely()
}
