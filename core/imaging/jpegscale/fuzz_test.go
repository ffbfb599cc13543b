package jpegscale_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core/imaging/jpegscale"
	"github.com/tcpimg/tcpimg/testdata/gen/hostile"
)

// fuzzMaxPixels keeps each input's work small while letting the seeds
// through.
const fuzzMaxPixels = 1 << 18

// fuzzSeeds are small JPEGs of every kind the decoder handles: the tiny
// testdata files, image/jpeg's own output, a minimal progressive file.
func fuzzSeeds(f *testing.F) [][]byte {
	names, err := filepath.Glob("testdata/tiny-*.jpg")
	require.NoError(f, err)
	var seeds [][]byte
	for _, name := range names {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		seeds = append(seeds, data)
	}
	img := image.NewRGBA(image.Rect(0, 0, 37, 21))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var buf bytes.Buffer
	require.NoError(f, jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}))
	seeds = append(seeds, buf.Bytes())
	buf.Reset()
	gray := image.NewGray(image.Rect(0, 0, 19, 9))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 13)
	}
	require.NoError(f, jpeg.Encode(&buf, gray, nil))
	seeds = append(seeds, buf.Bytes())
	tiny := image.NewRGBA(image.Rect(0, 0, 24, 16))
	tiny.Set(3, 3, color.RGBA{200, 10, 10, 255})
	seeds = append(seeds, hostile.ProgressiveJPEG(tiny))
	return seeds
}

// FuzzDecode holds the decoder to image/jpeg. At 1/1 both accept or both
// refuse an input, and what both decode agrees sample for sample within a
// unit, except where the input has a quirk on which the two rightly
// differ (coefficients past what 8-bit encoders write, where image/jpeg's
// integer transform overflows; restart markers that image/jpeg counts
// differently). At 1/2, 1/4 and 1/8: no panic, every input image/jpeg
// decodes is decoded (a read of the DC scans alone may also accept a file
// whose unread scans are damaged), at the reduced size, each sample the
// mean of the 1/1 decode's within a unit, and memory stays within a
// budget per declared pixel. Images the decoder leaves to image/jpeg are
// skipped.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		for denom := range uint8(4) {
			f.Add(s, denom)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, scale uint8) {
		denom := 1 << (scale % 4)
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > fuzzMaxPixels {
			// The server refuses these from the header: the decoder
			// must still refuse or decode them without panicking.
			_, _, _ = jpegscale.DecodeQuirks(data, denom, fuzzMaxPixels)
			return
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got, quirks, err := jpegscale.DecodeQuirks(data, denom, fuzzMaxPixels)
		runtime.ReadMemStats(&after)
		if errors.Is(err, jpegscale.ErrUnsupported) {
			return
		}
		// Planes padded to whole MCUs of up to 32x32 pixels, 3 bytes a
		// pixel at most at 1/1, or a progressive image's coefficients,
		// 2 bytes per sample, plus the decoder's tables.
		padded := uint64(cfg.Width+31) * uint64(cfg.Height+31)
		budget := 8*padded + 1<<20
		require.LessOrEqual(t, after.TotalAlloc-before.TotalAlloc, budget, "allocated for %dx%d", cfg.Width, cfg.Height)
		want, wantErr := jpeg.Decode(bytes.NewReader(data))
		if err == nil {
			require.Equal(t, image.Rect(0, 0, (cfg.Width+denom-1)/denom, (cfg.Height+denom-1)/denom), got.Bounds())
		}
		if denom > 1 {
			if wantErr == nil {
				require.NoError(t, err, "image/jpeg decodes it")
			}
			full, fq, fullErr := jpegscale.DecodeQuirks(data, 1, fuzzMaxPixels)
			if err != nil || fullErr != nil || quirks.Extreme || fq.Extreme {
				return
			}
			// Each reduced sample is the mean of the full decode's
			// samples it covers, but where the full decode clamped one.
			fp, gp := planesOf(t, full), planesOf(t, got)
			require.Len(t, gp, len(fp))
			for i := range fp {
				require.LessOrEqual(t, maxGroupDiff(fp[i], gp[i], denom), 1, "plane %d", i)
			}
			return
		}
		if quirks.BlockRestarts {
			return
		}
		require.Equal(t, wantErr == nil, err == nil, "image/jpeg says %v, jpegscale says %v", wantErr, err)
		if err != nil || quirks.Extreme {
			return
		}
		d := maxSampleDiff(want, got)
		require.GreaterOrEqual(t, d, 0, "types differ: %T and %T", want, got)
		require.LessOrEqual(t, d, 1)
	})
}
