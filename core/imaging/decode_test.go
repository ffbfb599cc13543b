package imaging_test

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core/imaging"
	"github.com/tcpimg/tcpimg/testdata/gen/hostile"
)

func encoded(t *testing.T, format string, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case imaging.PNG:
		err = png.Encode(&b, img)
	case imaging.JPEG:
		err = jpeg.Encode(&b, img, nil)
	case imaging.GIF:
		err = gif.Encode(&b, img, nil)
	}
	require.NoError(t, err)
	return b.Bytes()
}

func TestDecodeFormats(t *testing.T) {
	src := randomRGBA(newRand(8), image.Rect(0, 0, 37, 23))
	for _, format := range []string{imaging.PNG, imaging.JPEG, imaging.GIF} {
		t.Run("format="+format, func(t *testing.T) {
			img, got, err := imaging.Decode(encoded(t, format, src), 37*23)
			require.NoError(t, err)
			assert.Equal(t, format, got)
			assert.Equal(t, image.Rect(0, 0, 37, 23), img.Bounds())
		})
	}
}

func TestDecodeDecodesProgressiveJPEG(t *testing.T) {
	img, format, err := imaging.Decode(hostile.ProgressiveJPEG(randomRGBA(newRand(9), image.Rect(0, 0, 30, 20))), 600)
	require.NoError(t, err)
	assert.Equal(t, imaging.JPEG, format)
	assert.Equal(t, image.Rect(0, 0, 30, 20), img.Bounds())
}

// TestDecodePixelLimit: "over the limit" means strictly greater.
func TestDecodePixelLimit(t *testing.T) {
	data := encoded(t, imaging.PNG, image.NewGray(image.Rect(0, 0, 37, 23)))
	tests := []struct {
		name    string
		give    int64
		wantErr error
	}{
		{"at the limit", 37 * 23, nil},
		{"one under", 37*23 - 1, imaging.ErrTooLarge},
		{"zero refuses all", 0, imaging.ErrTooLarge},
		{"negative refuses all", -1, imaging.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := imaging.DecodeConfig(data, tt.give)
			assert.ErrorIs(t, err, tt.wantErr)
			_, _, err = imaging.Decode(data, tt.give)
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

// TestDecodeRefusesBombsBeforeDecoding: headers declaring gigapixels in a
// few hundred bytes are refused with next to no allocation.
func TestDecodeRefusesBombsBeforeDecoding(t *testing.T) {
	tests := []struct {
		name string
		give []byte
	}{
		{"png 100000x100000", hostile.PNGBomb(100000, 100000)},
		{"png 255x1677721600", hostile.PNGBomb(255, 1677721600)},
		{"jpeg 65535x65535", hostile.JPEGBomb(65535, 65535)},
		{"gif 65535x65535", hostile.GIFBomb(65535, 65535)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Less(t, len(tt.give), 1024)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, _, err := imaging.Decode(tt.give, 40_000_000)
			runtime.ReadMemStats(&after)
			require.ErrorIs(t, err, imaging.ErrTooLarge)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated")
		})
	}
}

func TestDecodeRefusesWhatIsNotAnImage(t *testing.T) {
	pngData := encoded(t, imaging.PNG, randomRGBA(newRand(10), image.Rect(0, 0, 40, 40)))
	jpegData := encoded(t, imaging.JPEG, randomRGBA(newRand(11), image.Rect(0, 0, 40, 40)))
	progressive := hostile.ProgressiveJPEG(randomRGBA(newRand(12), image.Rect(0, 0, 64, 64)))
	corrupt := bytes.Clone(pngData)
	for i := 40; i < len(corrupt)-20; i += 7 {
		corrupt[i] ^= 0x5a
	}
	random := make([]byte, 512)
	rng := newRand(13)
	for i := range random {
		random[i] = uint8(rng.IntN(256))
	}
	tests := []struct {
		name    string
		give    []byte
		wantErr error
	}{
		{"empty", nil, imaging.ErrFormat},
		{"random bytes", random, imaging.ErrFormat},
		{"bmp", []byte("BM\x36\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00"), imaging.ErrFormat},
		{"png signature only", pngData[:8], imaging.ErrCorrupt},
		{"png header only", pngData[:33], imaging.ErrCorrupt},
		{"truncated png", pngData[:len(pngData)/2], imaging.ErrCorrupt},
		{"corrupt png data", corrupt, imaging.ErrCorrupt},
		{"truncated jpeg", jpegData[:len(jpegData)/2], imaging.ErrCorrupt},
		{"jpeg without end", jpegData[:len(jpegData)-2], imaging.ErrCorrupt},
		{"truncated progressive jpeg", progressive[:len(progressive)*2/3], imaging.ErrCorrupt},
		{"gif with a 0x0 screen", hostile.GIFBomb(0, 0), imaging.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, format, err := imaging.Decode(tt.give, 40_000_000)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Nil(t, img)
			assert.Empty(t, format)
		})
	}
}

// TestDecodeGIFComposesFirstFrame: a first frame smaller than the logical
// screen lands at its offset on a transparent screen-sized canvas, and
// later frames are ignored.
func TestDecodeGIFComposesFirstFrame(t *testing.T) {
	pal := color.Palette{color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}}
	first := image.NewPaletted(image.Rect(5, 2, 10, 6), pal)
	second := image.NewPaletted(image.Rect(0, 0, 20, 10), pal)
	for i := range second.Pix {
		second.Pix[i] = 1
	}
	var b bytes.Buffer
	require.NoError(t, gif.EncodeAll(&b, &gif.GIF{
		Image:  []*image.Paletted{first, second},
		Delay:  []int{0, 0},
		Config: image.Config{ColorModel: pal, Width: 20, Height: 10},
	}))
	img, format, err := imaging.Decode(b.Bytes(), 200)
	require.NoError(t, err)
	assert.Equal(t, imaging.GIF, format)
	require.Equal(t, image.Rect(0, 0, 20, 10), img.Bounds())
	for y := range 10 {
		for x := range 20 {
			want := color.RGBA{}
			if (image.Point{x, y}).In(first.Rect) {
				want = color.RGBA{255, 0, 0, 255}
			}
			require.Equal(t, want, color.RGBAModel.Convert(img.At(x, y)), "at (%d,%d)", x, y)
		}
	}
}

// TestDecodeRefusesJPEGScanBomb: a JPEG within the pixel limit but with
// more scans than MaxJPEGScans is refused before decoding; one at the
// limit decodes. The large bomb would take minutes to decode.
func TestDecodeRefusesJPEGScanBomb(t *testing.T) {
	tests := []struct {
		name    string
		give    []byte
		wantErr error
	}{
		{"at the limit", hostile.JPEGScanBomb(64, 48, imaging.MaxJPEGScans-1), nil},
		{"one over", hostile.JPEGScanBomb(64, 48, imaging.MaxJPEGScans), imaging.ErrTooComplex},
		{"2000x2000 with 100000 scans", hostile.JPEGScanBomb(2000, 2000, 100_000), imaging.ErrTooComplex},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := imaging.DecodeConfig(tt.give, 4_000_000)
			require.NoError(t, err, "the header is fine")
			_, _, err = imaging.Decode(tt.give, 4_000_000)
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}
