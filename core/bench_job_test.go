package core_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/tcpimg/tcpimg/core"
)

// BenchmarkJob measures a whole image job (decode, operation, encode)
// through core.Process for every sample image, output in the input's
// format. Bytes per second are of the input payload.
func BenchmarkJob(b *testing.B) {
	ops := []struct {
		name string
		h    core.RequestHeader
	}{
		{"thumbnail", core.RequestHeader{Op: core.OpThumbnail, Arg1: 128, Arg2: 128}},
		{"grayscale", core.RequestHeader{Op: core.OpGrayscale}},
		{"blur", core.RequestHeader{Op: core.OpBlur, Arg1: 5}},
	}
	imgs := samples(b)
	slices.SortFunc(imgs, func(x, y sample) int { return x.w*x.h - y.w*y.h })
	for _, op := range ops {
		for _, s := range imgs {
			b.Run(fmt.Sprintf("op=%s/size=%dx%d", op.name, s.w, s.h), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(s.data)))
				var out bytes.Buffer
				ctx := context.Background()
				for b.Loop() {
					out.Reset()
					h := op.h
					if err := core.Process(ctx, &h, s.data, &out); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
