package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/tcpimg/tcpimg/core"
)

// outWriter saves results into the -out folder: the first OK result of each
// input image, so -repeat does not rewrite the same file N times and two
// receivers never write one file at once.
type outWriter struct {
	dir     string
	op      core.Op
	written []atomic.Bool // per input image
}

// newOutWriter creates dir (and its parents) for n input images.
func newOutWriter(dir string, op core.Op, n int) (*outWriter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("-out: %w", err)
	}
	return &outWriter{dir: dir, op: op, written: make([]atomic.Bool, n)}, nil
}

// write saves result as image's output unless one was saved already.
func (o *outWriter) write(img int, stem string, result []byte) error {
	if !o.written[img].CompareAndSwap(false, true) {
		return nil
	}
	name := stem + "_" + o.op.String() + extOf(result)
	if err := os.WriteFile(filepath.Join(o.dir, name), result, 0o644); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}

// extOf names a file extension after the encoding the bytes actually have:
// format "same" and GIF input make it differ from the input's.
func extOf(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return ".png"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return ".jpg"
	case bytes.HasPrefix(b, []byte("GIF8")):
		return ".gif"
	default:
		return ".bin"
	}
}
