package imaging

import (
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"sync"
)

// DefaultJPEGQuality is the quality used when a caller passes 0.
const DefaultJPEGQuality = 85

// pngEncoder trades a little size for speed (a server re-encodes every
// result) and reuses its compression buffers across calls through a pool.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &encoderPool{}}

// encoderPool is a png.EncoderBufferPool over sync.Pool.
type encoderPool struct{ p sync.Pool }

func (e *encoderPool) Get() *png.EncoderBuffer {
	b, _ := e.p.Get().(*png.EncoderBuffer)
	return b
}

func (e *encoderPool) Put(b *png.EncoderBuffer) { e.p.Put(b) }

// EncodePNG writes img to w as PNG at BestSpeed compression. Gray images
// stay 8-bit gray; opaque RGBA is written without an alpha channel.
func EncodePNG(w io.Writer, img image.Image) error {
	return pngEncoder.Encode(w, img)
}

// EncodeJPEG writes img to w as baseline JPEG at quality 1..100; 0 means
// [DefaultJPEGQuality]. Anything else is [ErrArgument]. JPEG has no alpha:
// premultiplied colours come out as if composed on black.
func EncodeJPEG(w io.Writer, img image.Image, quality int) error {
	if quality == 0 {
		quality = DefaultJPEGQuality
	}
	if quality < 1 || quality > 100 {
		return fmt.Errorf("%w: JPEG quality %d out of 1..100", ErrArgument, quality)
	}
	return jpeg.Encode(w, img, &jpeg.Options{Quality: quality})
}
