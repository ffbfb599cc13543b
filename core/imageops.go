package core

import (
	"bytes"
	"fmt"
	"sync/atomic"
)

// Placeholder until the image operations land.

var spinSink atomic.Uint64

// CheckImage reads an image's header only and checks its dimensions.
func CheckImage(payload []byte, maxPixels int64) (string, error) {
	return "", fmt.Errorf("%w: image operations not built yet", ErrBadRequest)
}

func processImage(h *RequestHeader, payload []byte, out *bytes.Buffer, maxPixels int64) error {
	return fmt.Errorf("%w: image operations not built yet", ErrBadRequest)
}
