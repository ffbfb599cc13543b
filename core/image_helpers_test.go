package core_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
)

// imagesDir holds the committed sample images (see generate.go).
const imagesDir = "../testdata/images"

// sample is one committed test image.
type sample struct {
	name   string // file name
	stem   string // file name without extension
	data   []byte
	format string // as image.DecodeConfig names it
	w, h   int
}

// samples reads every image in imagesDir, in name order.
func samples(tb testing.TB) []sample {
	tb.Helper()
	entries, err := os.ReadDir(imagesDir)
	require.NoError(tb, err)
	var out []sample
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(imagesDir, e.Name()))
		require.NoError(tb, err)
		cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
		require.NoError(tb, err, e.Name())
		out = append(out, sample{
			name:   e.Name(),
			stem:   strings.TrimSuffix(e.Name(), filepath.Ext(e.Name())),
			data:   data,
			format: format,
			w:      cfg.Width,
			h:      cfg.Height,
		})
	}
	require.NotEmpty(tb, out)
	return out
}

// sampleNamed returns the sample image called name.
func sampleNamed(tb testing.TB, name string) sample {
	tb.Helper()
	all := samples(tb)
	i := slices.IndexFunc(all, func(s sample) bool { return s.name == name })
	require.GreaterOrEqual(tb, i, 0, "no sample image %s", name)
	return all[i]
}

// doJob calls core.Process and returns the output buffer with the error.
func doJob(tb testing.TB, h core.RequestHeader, payload []byte) (*bytes.Buffer, error) {
	tb.Helper()
	var out bytes.Buffer
	err := core.Process(context.Background(), &h, payload, &out)
	return &out, err
}

// grayPNG encodes a w x h gray gradient as PNG, a cheap source of any size.
func grayPNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetGray(x, y, color.Gray{uint8(x + y)})
		}
	}
	var b bytes.Buffer
	require.NoError(tb, png.Encode(&b, m))
	return b.Bytes()
}

// samePixels reports where a and b differ: size, or the first pixel whose
// 16-bit RGBA values differ. Images of one decoder type are compared by
// their sample bytes, which is exact and fast.
func samePixels(a, b image.Image) (bool, string) {
	if a.Bounds() != b.Bounds() {
		return false, fmt.Sprintf("bounds %v vs %v", a.Bounds(), b.Bounds())
	}
	switch x := a.(type) {
	case *image.Gray:
		if y, ok := b.(*image.Gray); ok && x.Stride == y.Stride {
			return bytes.Equal(x.Pix, y.Pix), "gray samples differ"
		}
	case *image.RGBA:
		if y, ok := b.(*image.RGBA); ok && x.Stride == y.Stride {
			return bytes.Equal(x.Pix, y.Pix), "RGBA samples differ"
		}
	case *image.NRGBA:
		if y, ok := b.(*image.NRGBA); ok && x.Stride == y.Stride {
			return bytes.Equal(x.Pix, y.Pix), "NRGBA samples differ"
		}
	case *image.YCbCr:
		if y, ok := b.(*image.YCbCr); ok && x.SubsampleRatio == y.SubsampleRatio && x.YStride == y.YStride && x.CStride == y.CStride {
			return bytes.Equal(x.Y, y.Y) && bytes.Equal(x.Cb, y.Cb) && bytes.Equal(x.Cr, y.Cr), "YCbCr samples differ"
		}
	}
	r := a.Bounds()
	for py := r.Min.Y; py < r.Max.Y; py++ {
		for px := r.Min.X; px < r.Max.X; px++ {
			if color.RGBA64Model.Convert(a.At(px, py)) != color.RGBA64Model.Convert(b.At(px, py)) {
				return false, fmt.Sprintf("pixel (%d,%d) differs", px, py)
			}
		}
	}
	return true, ""
}
