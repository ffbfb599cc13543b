package core_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// BenchmarkJobPhotos runs the THUMBNAIL job that scripts/bench-vips.sh
// times against vipsthumbnail (box 128x128, JPEG quality 85) on every
// JPEG in the folder $TCPIMG_PHOTOS, one sub-benchmark per file, and
// reports the process's CPU time per job (cpu-ns/op) as well as wall
// time. It skips when the variable is unset: the photographs are not in
// the repository.
func BenchmarkJobPhotos(b *testing.B) {
	dir := os.Getenv("TCPIMG_PHOTOS")
	if dir == "" {
		b.Skip("TCPIMG_PHOTOS is not set")
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if err != nil || len(names) == 0 {
		b.Fatalf("no JPEG in %s (%v)", dir, err)
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("file="+strings.TrimSuffix(filepath.Base(name), ".jpg"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			var out bytes.Buffer
			ctx := context.Background()
			process := core.ProcessWithLimit(1 << 26)
			cpu0, ok0 := processCPU()
			for b.Loop() {
				out.Reset()
				h := core.RequestHeader{Op: core.OpThumbnail, Arg1: 128, Arg2: 128, Format: core.FormatJPEG, Quality: 85}
				if err := process(ctx, &h, data, &out); err != nil {
					b.Fatal(err)
				}
			}
			if cpu1, ok1 := processCPU(); ok0 && ok1 {
				b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
		})
	}
}
