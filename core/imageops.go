package core

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"sync/atomic"

	"github.com/tcpimg/tcpimg/core/imaging"
)

// spinSink keeps SPIN's arithmetic observable so the compiler cannot drop it.
var spinSink atomic.Uint64

// CheckImage reads only the header of payload, the way the server checks an
// image request before queueing it: a decompression bomb is refused before
// it waits behind other jobs or costs any pixel memory. It returns the
// format ("png", "jpeg" or "gif"). Width x height over maxPixels is
// ErrTooLarge; a payload that is not a decodable PNG, JPEG or GIF header is
// ErrBadRequest.
func CheckImage(payload []byte, maxPixels int64) (format string, err error) {
	_, format, err = imaging.DecodeConfig(payload, maxPixels)
	if err != nil {
		return "", imageError(err)
	}
	return format, nil
}

// processImage decodes payload under the pixel limit, runs the image
// operation h asks for and encodes the result into out. On error nothing it
// wrote stays in out. h has been validated by the caller.
func processImage(h *RequestHeader, payload []byte, out *bytes.Buffer, maxPixels int64) error {
	if h.Op == OpThumbnail {
		// Decoding and scaling go together: a JPEG is reduced while
		// decoded.
		res, format, err := imaging.DecodeThumbnail(payload, int(h.Arg1), int(h.Arg2), maxPixels)
		if err != nil {
			return imageError(err)
		}
		return encodeResult(h, res, format, out)
	}
	img, format, err := imaging.Decode(payload, maxPixels)
	if err != nil {
		return imageError(err)
	}
	var res image.Image
	switch h.Op {
	case OpGrayscale:
		res = imaging.Grayscale(img)
	case OpBlur:
		res, err = imaging.Blur(img, int(h.Arg1))
	default:
		return fmt.Errorf("%w: %v is not an image operation", ErrBadRequest, h.Op)
	}
	if err != nil {
		return imageError(err)
	}
	return encodeResult(h, res, format, out)
}

// encodeResult encodes res in the format h asks for (format is the
// input's) into out. On error nothing it wrote stays in out.
func encodeResult(h *RequestHeader, res image.Image, format string, out *bytes.Buffer) error {
	var err error
	start := out.Len()
	if outputFormat(h.Format, format) == FormatJPEG {
		quality := int(h.Quality)
		if quality == 0 {
			quality = DefaultJPEGQuality
		}
		err = imaging.EncodeJPEG(out, res, quality)
	} else {
		err = imaging.EncodePNG(out, res)
	}
	if err != nil {
		out.Truncate(start)
		return fmt.Errorf("encoding the result: %w", imageError(err))
	}
	return nil
}

// outputFormat resolves FormatSame: PNG stays PNG, JPEG stays JPEG, and GIF
// (which the server does not write) becomes PNG, which keeps its palette
// and transparency.
func outputFormat(f Format, input string) Format {
	if f != FormatSame {
		return f
	}
	if input == imaging.JPEG {
		return FormatJPEG
	}
	return FormatPNG
}

// imageError maps the imaging package's sentinels to the protocol's. Only
// dimensions over the pixel limit are TOO_LARGE, as PROTOCOL.md defines it;
// a payload that cannot be decoded, or that is built to be too costly to
// decode (a JPEG scan bomb), is BAD_REQUEST. An argument error means a
// header passed Validate that imaging still refuses; it is the client's
// request all the same. Anything else (an encoder
// failing) stays unclassified and is answered INTERNAL.
func imageError(err error) error {
	switch {
	case errors.Is(err, imaging.ErrTooLarge):
		return fmt.Errorf("%w: %w", ErrTooLarge, err)
	case errors.Is(err, imaging.ErrFormat), errors.Is(err, imaging.ErrCorrupt),
		errors.Is(err, imaging.ErrTooComplex), errors.Is(err, imaging.ErrArgument):
		return fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	return err
}
