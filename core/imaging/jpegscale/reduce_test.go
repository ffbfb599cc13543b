package jpegscale_test

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core/imaging/jpegscale"
)

// samplePlane is one component's samples over the visible image.
type samplePlane struct {
	pix    []uint8
	stride int
	w, h   int
}

func (p samplePlane) at(x, y int) uint8 { return p.pix[y*p.stride+x] }

// planesOf returns the component planes of a decoded image, cropped to
// the samples that cover visible pixels.
func planesOf(t *testing.T, m image.Image) []samplePlane {
	t.Helper()
	switch m := m.(type) {
	case *image.Gray:
		return []samplePlane{{m.Pix, m.Stride, m.Rect.Dx(), m.Rect.Dy()}}
	case *image.YCbCr:
		w, h := m.Rect.Dx(), m.Rect.Dy()
		cw, ch := w, h
		switch m.SubsampleRatio {
		case image.YCbCrSubsampleRatio420:
			cw, ch = (w+1)/2, (h+1)/2
		case image.YCbCrSubsampleRatio422:
			cw = (w + 1) / 2
		}
		return []samplePlane{{m.Y, m.YStride, w, h}, {m.Cb, m.CStride, cw, ch}, {m.Cr, m.CStride, cw, ch}}
	}
	t.Fatalf("unexpected image type %T", m)
	return nil
}

// boxPSNR is the PSNR of a reduced plane against the means of the full
// plane's s x s groups, over the groups wholly inside the image (a
// group on the edge covers padding the encoder invented).
func boxPSNR(full, reduced samplePlane, s int) float64 {
	var se float64
	n := 0
	for y := 0; (y+1)*s <= full.h; y++ {
		for x := 0; (x+1)*s <= full.w; x++ {
			sum := 0
			for dy := range s {
				for dx := range s {
					sum += int(full.at(x*s+dx, y*s+dy))
				}
			}
			d := float64(sum)/float64(s*s) - float64(reduced.at(x, y))
			se += d * d
			n++
		}
	}
	return psnr(se / float64(n))
}

// maxGroupDiff is the largest difference between a reduced plane and the
// means of the full plane's s x s groups, over the groups wholly inside
// the image and holding no clamped sample (0 or 255: the reduced
// transform clamps the mean, not each sample).
func maxGroupDiff(full, reduced samplePlane, s int) int {
	worst := 0
	for y := 0; (y+1)*s <= full.h; y++ {
	groups:
		for x := 0; (x+1)*s <= full.w; x++ {
			sum := 0
			for dy := range s {
				for dx := range s {
					v := full.at(x*s+dx, y*s+dy)
					if v == 0 || v == 255 {
						continue groups
					}
					sum += int(v)
				}
			}
			n := s * s
			mean := (sum + n/2) / n
			worst = max(worst, mean-int(reduced.at(x, y)), int(reduced.at(x, y))-mean)
		}
	}
	return worst
}

func psnr(mse float64) float64 {
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/mse)
}

// TestReducedScaleIsTheBoxAverage: at 1/2, 1/4 and 1/8 each output
// sample is the mean of the full decode's samples it covers, within
// rounding (and where the full decode clamps pixels the mean of the
// unclamped ones): over 50 dB against image/jpeg's decode box-averaged.
// libjpeg's low-frequency transform, logged for comparison, is what the
// exact average was chosen over.
func TestReducedScaleIsTheBoxAverage(t *testing.T) {
	for name, data := range testFiles(t) {
		if !strings.HasPrefix(name, "baseline-") && !strings.HasPrefix(name, "progressive-") && !strings.HasPrefix(name, "scene-") {
			continue
		}
		full, err := jpegscale.Decode(data, 1, noLimit)
		require.NoError(t, err)
		for _, denom := range []int{2, 4, 8} {
			t.Run(fmt.Sprintf("file=%s/scale=1:%d", name, denom), func(t *testing.T) {
				got, err := jpegscale.Decode(data, denom, noLimit)
				require.NoError(t, err)
				fb := full.Bounds()
				require.Equal(t, image.Rect(0, 0, (fb.Dx()+denom-1)/denom, (fb.Dy()+denom-1)/denom), got.Bounds())
				low, err := jpegscale.DecodeLowFrequency(data, denom)
				require.NoError(t, err)
				fp, gp, lp := planesOf(t, full), planesOf(t, got), planesOf(t, low)
				require.Len(t, gp, len(fp))
				for i := range fp {
					avg, lf := boxPSNR(fp[i], gp[i], denom), boxPSNR(fp[i], lp[i], denom)
					t.Logf("plane %d: exact average %.1f dB, low-frequency %.1f dB", i, avg, lf)
					assert.Greater(t, avg, 50.0, "plane %d", i)
				}
			})
		}
	}
}

// TestDCOnlyProgressiveSkipsACScans: at 1/8 a progressive file whose AC
// scans are damaged still decodes (they are never read), to the same
// image as the intact file, while image/jpeg refuses it.
func TestDCOnlyProgressiveSkipsACScans(t *testing.T) {
	data := testFiles(t)["progressive-420.jpg"]
	want, err := jpegscale.Decode(data, 8, noLimit)
	require.NoError(t, err)
	// The last SOS is an AC scan (refinement): fill its data with a
	// code no table holds.
	damaged := bytes.Clone(data)
	last := bytes.LastIndex(damaged, []byte{0xff, 0xda})
	seg := last + 2 + int(damaged[last+2])<<8 | int(damaged[last+3])
	require.NotEqual(t, byte(0), damaged[seg-3], "last scan is a DC scan")
	for i := seg + 16; i < len(damaged)-2; i++ {
		damaged[i] = 0xfe
	}
	_, err = jpeg.Decode(bytes.NewReader(damaged))
	require.Error(t, err)
	got, err := jpegscale.Decode(damaged, 8, noLimit)
	require.NoError(t, err)
	assert.Equal(t, 0, maxSampleDiff(want, got))
	_, err = jpegscale.Decode(damaged, 4, noLimit)
	assert.Error(t, err, "at 1/4 every scan is read")
}
