package jpegscale_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core/imaging/jpegscale"
)

const noLimit = 1 << 40

// testFiles returns the JPEGs of testdata by name, and the repository's
// sample JPEGs; under the race detector only the small ones.
func testFiles(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, pattern := range []string{"testdata/*.jpg", "../../../testdata/images/*.jpg"} {
		names, err := filepath.Glob(pattern)
		require.NoError(t, err)
		for _, name := range names {
			data, err := os.ReadFile(name)
			require.NoError(t, err)
			if raceEnabled && len(data) > 64<<10 {
				continue
			}
			files[filepath.Base(name)] = data
		}
	}
	require.NotEmpty(t, files)
	return files
}

// maxSampleDiff is the largest difference between two images' samples
// (Y, Cb, Cr or gray) over the visible area; -1 when their types,
// subsampling or sizes differ.
func maxSampleDiff(a, b image.Image) int {
	if a.Bounds() != b.Bounds() {
		return -1
	}
	r := a.Bounds()
	worst := 0
	diff := func(x, y uint8) {
		worst = max(worst, int(x)-int(y), int(y)-int(x))
	}
	switch a := a.(type) {
	case *image.Gray:
		b, ok := b.(*image.Gray)
		if !ok {
			return -1
		}
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				diff(a.Pix[a.PixOffset(x, y)], b.Pix[b.PixOffset(x, y)])
			}
		}
	case *image.YCbCr:
		b, ok := b.(*image.YCbCr)
		if !ok || a.SubsampleRatio != b.SubsampleRatio {
			return -1
		}
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				diff(a.Y[a.YOffset(x, y)], b.Y[b.YOffset(x, y)])
				ac, bc := a.COffset(x, y), b.COffset(x, y)
				diff(a.Cb[ac], b.Cb[bc])
				diff(a.Cr[ac], b.Cr[bc])
			}
		}
	default:
		return -1
	}
	return worst
}

// TestFullScaleMatchesImageJPEG: at 1/1 the decoder gives image/jpeg's
// image, sample for sample within the two transforms' rounding, for every
// coding feature it handles, and hands the others back. The progressive
// files are lossless transcodes of the baseline ones (jpegtran), so their
// reference is image/jpeg's decode of the baseline file: image/jpeg
// itself refuses progressive-restart-420.jpg (it counts restart intervals
// in groups of blocks in a non-interleaved scan, see decodeScan).
func TestFullScaleMatchesImageJPEG(t *testing.T) {
	files := testFiles(t)
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			ref := data
			if base, ok := strings.CutPrefix(name, "progressive-"); ok && files["baseline-"+base] != nil {
				ref = files["baseline-"+base]
			} else if name == "progressive-restart-420.jpg" {
				ref = files["baseline-420.jpg"]
			}
			want, wantErr := jpeg.Decode(bytes.NewReader(ref))
			got, quirks, err := jpegscale.DecodeQuirks(data, 1, noLimit)
			switch {
			case quirks.BlockRestarts && bytes.Equal(ref, data):
				// No reference: image/jpeg refuses it (see decodeScan).
				require.Error(t, wantErr)
				require.NoError(t, err)
			case strings.HasPrefix(name, "fallback-"):
				require.NoError(t, wantErr)
				assert.ErrorIs(t, err, jpegscale.ErrUnsupported)
			case strings.HasPrefix(name, "unsupported-"):
				require.Error(t, wantErr)
				var fe jpegscale.FormatError
				assert.ErrorAs(t, err, &fe)
			default:
				require.NoError(t, wantErr)
				require.NoError(t, err)
				d := maxSampleDiff(want, got)
				assert.LessOrEqual(t, d, 1)
				assert.GreaterOrEqual(t, d, 0, "types or sizes differ")
			}
		})
	}
}

// TestUndefinedHuffmanTable: a scan that uses a table no DHT defined is
// refused, as image/jpeg refuses it, at every scale.
func TestUndefinedHuffmanTable(t *testing.T) {
	data := testFiles(t)["baseline-420.jpg"]
	// Point the scan's components at table 3, which is never defined:
	// baseline allows only 0 and 1, so turn the frame into an extended
	// sequential one (SOF1), which decodes the same way.
	damaged := bytes.Clone(data)
	sof := bytes.Index(damaged, []byte{0xff, 0xc0})
	require.Positive(t, sof)
	damaged[sof+1] = 0xc1
	sos := bytes.Index(damaged, []byte{0xff, 0xda})
	require.Positive(t, sos)
	for i := range int(damaged[sos+4]) {
		damaged[sos+6+2*i] = 0x33
	}
	_, err := jpeg.Decode(bytes.NewReader(damaged))
	require.Error(t, err)
	for _, denom := range []int{1, 2, 4, 8} {
		_, _, err := jpegscale.DecodeQuirks(damaged, denom, noLimit)
		var fe jpegscale.FormatError
		assert.ErrorAs(t, err, &fe, "1/%d", denom)
	}
}
