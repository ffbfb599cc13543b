package core_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/testdata/gen/hostile"
	"github.com/tcpimg/tcpimg/testdata/gen/imageset"
)

// fuzzMaxPixels keeps each fuzz input's work small while still letting
// real images through.
const fuzzMaxPixels = 4_000_000

// fuzzBytesPerPixel bounds what one job may allocate per pixel: the
// decoded image (up to 8 bytes for 16-bit RGBA, twice for interlaced PNG),
// progressive JPEG coefficients (4 bytes per sample and component), the
// RGBA copy and the result.
const fuzzBytesPerPixel = 64

// fuzzFixedAlloc is what any job may allocate whatever its size: mostly a
// PNG encoder's deflate state (over 1 MiB), which its pool cannot keep
// across garbage collections when other tests run alongside.
const fuzzFixedAlloc = 4 << 20

// allocPixels is the pixel count a decoder allocates for: JPEG decoders
// work in whole MCUs of up to 32x32 pixels, so a one-row JPEG costs as much
// as a 32-row one. That is bounded (JPEG sides are 16-bit: at most about
// 2 M extra pixels) and no bomb, but a memory budget must count it.
func allocPixels(format string, w, h int) int64 {
	if format == "jpeg" {
		return int64(w+31) * int64(h+31)
	}
	return int64(w) * int64(h)
}

// FuzzProcessImage drives the image path (decode under the pixel limit,
// operation, encode) with arbitrary payloads and arguments. Whatever the
// input: no panic; an error is BAD_REQUEST or TOO_LARGE and leaves out
// empty; a success decodes, has the size the operation promises, and the
// job allocated no more than its declared pixels justify.
func FuzzProcessImage(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(byte(0), uint32(16), uint32(16), byte(0), s)
		f.Add(byte(1), uint32(0), uint32(0), byte(1), s)
		f.Add(byte(2), uint32(3), uint32(0), byte(2|40<<2), s)
	}
	process := core.ProcessWithLimit(fuzzMaxPixels)
	f.Fuzz(func(t *testing.T, op byte, arg1, arg2 uint32, format byte, payload []byte) {
		h := core.RequestHeader{
			Op:      core.OpThumbnail + core.Op(op%3),
			Format:  core.Format(format % 3),
			Quality: format >> 2, // 0 (the default) to 63
			Arg1:    arg1,
			Arg2:    arg2,
		}
		if h.Op == core.OpBlur {
			h.Arg1 = 1 + arg1%core.MaxBlurRadius
		}
		in, inFormat, inErr := image.DecodeConfig(bytes.NewReader(payload))
		var out bytes.Buffer
		job := func() error {
			out.Reset()
			return process(context.Background(), &h, payload, &out)
		}
		var err error
		allocs := allocated(func() { err = job() })

		pixels := int64(0)
		if inErr == nil {
			pixels = int64(in.Width) * int64(in.Height)
		}
		budget := int64(0)
		if pixels <= fuzzMaxPixels && inErr == nil {
			budget = allocPixels(inFormat, in.Width, in.Height)
		}
		if limit := uint64(fuzzFixedAlloc + fuzzBytesPerPixel*budget); allocs > limit {
			// The count is process-wide: the fuzzing engine allocates too.
			// A job that really allocates too much does so every time.
			for range 2 {
				allocs = min(allocs, allocated(func() { err = job() }))
			}
			require.LessOrEqual(t, allocs, limit, "allocated for %d declared pixels", pixels)
		}
		if err != nil {
			status := core.StatusOf(err)
			require.Contains(t, []core.Status{core.StatusBadRequest, core.StatusTooLarge}, status, "error %v", err)
			require.Zero(t, out.Len(), "output left after %v", err)
			if pixels > fuzzMaxPixels && h.Validate() == nil {
				require.Equal(t, core.StatusTooLarge, status, "error %v", err)
			}
			return
		}
		require.LessOrEqual(t, pixels, int64(fuzzMaxPixels))
		img, outFormat, err := image.Decode(&out)
		require.NoError(t, err, "output does not decode")
		want := "png"
		if h.Format == core.FormatJPEG || (h.Format == core.FormatSame && inFormat == "jpeg") {
			want = "jpeg"
		}
		require.Equal(t, want, outFormat)
		b := img.Bounds()
		switch h.Op {
		case core.OpThumbnail:
			require.LessOrEqual(t, b.Dx(), in.Width)
			require.LessOrEqual(t, b.Dy(), in.Height)
			if h.Arg1 != 0 {
				require.LessOrEqual(t, uint32(b.Dx()), h.Arg1)
			}
			if h.Arg2 != 0 {
				require.LessOrEqual(t, uint32(b.Dy()), h.Arg2)
			}
		default:
			require.Equal(t, image.Rect(0, 0, in.Width, in.Height), b)
		}
	})
}

// fuzzSeeds are small valid images of each format and decoder path, bombs,
// and truncations. Seeds stay a few KiB: the engine minimises every input
// that finds new coverage, and minimising a large one stalls fuzzing.
func fuzzSeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	for _, s := range samples(tb) {
		if len(s.data) <= 8<<10 {
			seeds = append(seeds, s.data)
		}
	}
	var alpha bytes.Buffer
	require.NoError(tb, png.Encode(&alpha, imageset.Alpha(24, 16, 1)))
	seeds = append(seeds, alpha.Bytes())
	scene := imageset.Scene(48, 32, 9)
	var jpg bytes.Buffer
	require.NoError(tb, jpeg.Encode(&jpg, scene, &jpeg.Options{Quality: 50}))
	gray := image.NewGray(image.Rect(0, 0, 20, 12))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i)
	}
	var grayJPEG bytes.Buffer
	require.NoError(tb, jpeg.Encode(&grayJPEG, gray, nil))
	progressive := hostile.ProgressiveJPEG(scene)
	seeds = append(seeds,
		jpg.Bytes(),
		grayJPEG.Bytes(),
		progressive,
		progressive[:len(progressive)/2],
		jpg.Bytes()[:jpg.Len()/2],
		hostile.PNGBomb(100000, 100000),
		hostile.PNGBomb(2000, 2001), // just over the fuzz limit
		hostile.PNGBomb(255, 1677721600),
		hostile.JPEGBomb(65535, 65535),
		hostile.GIFBomb(65535, 65535),
		hostile.GIFBomb(0, 0),
		hostile.JPEGScanBomb(24, 16, 70),
		png16(tb),
		nil,
	)
	return seeds
}

// png16 encodes a small 16-bit NRGBA image with some transparency, a PNG
// decoder path the sample set does not take.
func png16(tb testing.TB) []byte {
	tb.Helper()
	m := image.NewNRGBA64(image.Rect(0, 0, 9, 7))
	for i := range m.Pix {
		m.Pix[i] = uint8(i * 31)
	}
	m.Set(0, 0, color.Transparent)
	var b bytes.Buffer
	require.NoError(tb, png.Encode(&b, m))
	return b.Bytes()
}
