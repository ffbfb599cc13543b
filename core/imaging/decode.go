package imaging

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
)

// Sentinel errors; callers classify with errors.Is.
var (
	// ErrFormat: the payload does not start like a PNG, JPEG or GIF image
	// (random bytes, an empty payload, another format).
	ErrFormat = errors.New("unknown image format (want PNG, JPEG or GIF)")
	// ErrCorrupt: the payload looks like a supported format but its header or
	// pixel data cannot be decoded (truncated, damaged, zero-sized).
	ErrCorrupt = errors.New("corrupt image")
	// ErrTooLarge: the header declares more pixels than the limit allows.
	// It is returned before any pixel is decoded.
	ErrTooLarge = errors.New("image over the pixel limit")
	// ErrTooComplex: the image is within the pixel limit but is built to
	// cost far more to decode than its size justifies (a JPEG with more
	// than [MaxJPEGScans] scans).
	ErrTooComplex = errors.New("image too costly to decode")
	// ErrArgument: an operation was called with arguments it cannot honour
	// (a 0x0 thumbnail box, a blur radius out of range, a JPEG quality out
	// of range). The protocol layer validates these first, so seeing it
	// means a caller skipped that validation.
	ErrArgument = errors.New("invalid argument")
)

// MaxJPEGScans bounds the scans (SOS markers) of a JPEG that [Decode]
// accepts. Go's decoder walks every block of the image once per scan, and
// a progressive scan can cover every block in a handful of bytes, so
// without a bound a payload of megabytes keeps a core busy for hours on a
// picture well inside the pixel limit. Encoders write 1 scan (baseline) or
// about 10 (progressive); 64 leaves room for unusual scan scripts.
const MaxJPEGScans = 64

// Format names, as [image.DecodeConfig] spells them.
const (
	PNG  = "png"
	JPEG = "jpeg"
	GIF  = "gif"
)

// DecodeConfig reads only the header of data and checks its dimensions
// against maxPixels. It lets a server refuse a decompression bomb (a few
// hundred bytes declaring gigapixels) before it spends memory or a worker on
// it. The format returned is [PNG], [JPEG] or [GIF].
//
// Width x height strictly greater than maxPixels is [ErrTooLarge]; a
// non-positive maxPixels therefore refuses every image. For GIF the logical
// screen size is what counts, since the first frame is composed onto it.
func DecodeConfig(data []byte, maxPixels int64) (image.Config, string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	switch {
	case errors.Is(err, image.ErrFormat):
		return image.Config{}, "", ErrFormat
	case format != PNG && format != JPEG && format != GIF:
		return image.Config{}, "", ErrFormat
	case err != nil:
		return image.Config{}, "", fmt.Errorf("%w: %s header: %v", ErrCorrupt, format, cleanEOF(err))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return image.Config{}, "", fmt.Errorf("%w: %s declares %dx%d", ErrCorrupt, format, cfg.Width, cfg.Height)
	}
	if n := int64(cfg.Width) * int64(cfg.Height); n > maxPixels {
		return image.Config{}, "", fmt.Errorf("%w: %dx%d is %d pixels, limit %d",
			ErrTooLarge, cfg.Width, cfg.Height, n, maxPixels)
	}
	return cfg, format, nil
}

// Decode decodes data after [DecodeConfig] has accepted its header, so no
// pixel buffer is allocated for an image over maxPixels. GIF input yields
// its first frame, composed onto the logical screen when the frame is
// smaller. The image returned has its origin at (0, 0).
func Decode(data []byte, maxPixels int64) (image.Image, string, error) {
	cfg, format, err := DecodeConfig(data, maxPixels)
	if err != nil {
		return nil, "", err
	}
	var img image.Image
	switch format {
	case PNG:
		img, err = png.Decode(bytes.NewReader(data))
	case JPEG:
		if err := checkJPEGScans(data); err != nil {
			return nil, "", err
		}
		img, err = jpeg.Decode(bytes.NewReader(data))
	case GIF:
		img, err = gif.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s: %v", ErrCorrupt, format, cleanEOF(err))
	}
	screen := image.Rect(0, 0, cfg.Width, cfg.Height)
	b := img.Bounds()
	if b == screen {
		return img, format, nil
	}
	// Decoders check that a frame lies inside the declared size (GIF) or
	// equals it (PNG, JPEG); this guard keeps that promise local.
	if !b.In(screen) {
		return nil, "", fmt.Errorf("%w: %s frame %v outside %dx%d", ErrCorrupt, format, b, cfg.Width, cfg.Height)
	}
	canvas := image.NewRGBA(screen)
	draw.Draw(canvas, b, img, b.Min, draw.Src)
	return canvas, format, nil
}

// checkJPEGScans refuses a JPEG with more than [MaxJPEGScans] scans. In
// entropy-coded data a 0xff is always followed by 0x00 or a restart
// marker, so every 0xff 0xda a decoder could take for SOS is counted: an
// upper bound on its scans, cheap to compute.
func checkJPEGScans(data []byte) error {
	if n := bytes.Count(data, sos); n > MaxJPEGScans {
		return fmt.Errorf("%w: jpeg with %d scans, limit %d", ErrTooComplex, n, MaxJPEGScans)
	}
	return nil
}

// sos is the JPEG Start Of Scan marker.
var sos = []byte{0xff, 0xda}

// cleanEOF names a premature end of data the way a client understands it.
func cleanEOF(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("data ends early")
	}
	return err
}
