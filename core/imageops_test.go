package core_test

import (
	"bytes"
	"image"
	_ "image/gif" // registers GIF for image.DecodeConfig in these tests
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/testdata/gen/hostile"
)

// TestThumbnailSizes: never enlarged, aspect ratio kept; the limiting side
// equals the box and the other is rounded to nearest, at least 1.
func TestThumbnailSizes(t *testing.T) {
	type size struct{ w, h uint32 }
	tests := []struct {
		name string
		give size // source
		box  size
		want size
	}{
		{"landscape in square", size{640, 480}, size{128, 128}, size{128, 96}},
		{"portrait in square", size{480, 640}, size{128, 128}, size{96, 128}},
		{"free width", size{640, 480}, size{0, 100}, size{133, 100}},
		{"free height", size{640, 480}, size{100, 0}, size{100, 75}},
		{"height limits a wide box", size{640, 480}, size{600, 50}, size{67, 50}},
		{"width limits a tall box", size{640, 480}, size{50, 600}, size{50, 38}},
		{"rounds a half up", size{4, 2}, size{3, 0}, size{3, 2}},
		{"odd sizes", size{333, 777}, size{50, 50}, size{21, 50}},
		{"thin side at least 1", size{1000, 10}, size{10, 10}, size{10, 1}},
		{"tall thin side at least 1", size{10, 1000}, size{10, 10}, size{1, 10}},
		{"fits: not enlarged", size{64, 48}, size{128, 128}, size{64, 48}},
		{"fits a free side: not enlarged", size{64, 48}, size{0, 4000}, size{64, 48}},
		{"box equals image", size{64, 48}, size{64, 48}, size{64, 48}},
		{"huge box", size{64, 48}, size{1<<32 - 1, 1<<32 - 1}, size{64, 48}},
		{"1x1", size{1, 1}, size{1, 1}, size{1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := grayPNG(t, int(tt.give.w), int(tt.give.h))
			out, err := doJob(t, core.RequestHeader{Op: core.OpThumbnail, Arg1: tt.box.w, Arg2: tt.box.h}, src)
			require.NoError(t, err)
			cfg, format, err := image.DecodeConfig(out)
			require.NoError(t, err)
			assert.Equal(t, "png", format)
			assert.Equal(t, tt.want, size{uint32(cfg.Width), uint32(cfg.Height)})
		})
	}
}

// TestOutputFormat: FormatSame keeps PNG and JPEG and turns GIF into PNG;
// FormatPNG and FormatJPEG are obeyed for every input.
func TestOutputFormat(t *testing.T) {
	var jpg bytes.Buffer
	require.NoError(t, jpeg.Encode(&jpg, image.NewGray(image.Rect(0, 0, 64, 48)), nil))
	inputs := map[string][]byte{
		"png":  sampleNamed(t, "gray-256x256.png").data,
		"jpeg": jpg.Bytes(),
		"gif":  sampleNamed(t, "anim-160x120.gif").data,
	}
	tests := []struct {
		give   string // input format
		format core.Format
		want   string
	}{
		{"png", core.FormatSame, "png"},
		{"jpeg", core.FormatSame, "jpeg"},
		{"gif", core.FormatSame, "png"},
		{"png", core.FormatJPEG, "jpeg"},
		{"jpeg", core.FormatPNG, "png"},
		{"gif", core.FormatJPEG, "jpeg"},
		{"gif", core.FormatPNG, "png"},
	}
	for _, tt := range tests {
		for _, op := range []core.Op{core.OpThumbnail, core.OpGrayscale, core.OpBlur} {
			t.Run(tt.give+"/"+tt.format.String()+"/"+op.String(), func(t *testing.T) {
				h := core.RequestHeader{Op: op, Format: tt.format, Arg1: 64, Arg2: 64}
				out, err := doJob(t, h, inputs[tt.give])
				require.NoError(t, err)
				_, got, err := image.DecodeConfig(out)
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
			})
		}
	}
}

func TestGrayscaleOutputIsGray(t *testing.T) {
	for _, s := range samples(t) {
		if s.w*s.h > 640*480 {
			continue // TestGolden covers the large ones
		}
		t.Run(s.name, func(t *testing.T) {
			out, err := doJob(t, core.RequestHeader{Op: core.OpGrayscale, Format: core.FormatPNG}, s.data)
			require.NoError(t, err)
			img, err := png.Decode(out)
			require.NoError(t, err)
			assert.IsType(t, &image.Gray{}, img)
			assert.Equal(t, image.Rect(0, 0, s.w, s.h), img.Bounds())
		})
	}
}

func TestJPEGQuality(t *testing.T) {
	src := sampleNamed(t, "scene-640x480.png").data
	job := func(q uint8) []byte {
		out, err := doJob(t, core.RequestHeader{Op: core.OpGrayscale, Format: core.FormatJPEG, Quality: q}, src)
		require.NoError(t, err)
		return out.Bytes()
	}
	assert.Equal(t, job(core.DefaultJPEGQuality), job(0), "quality 0 means 85")
	assert.Less(t, len(job(10)), len(job(95)))
	_, err := jpeg.Decode(bytes.NewReader(job(1)))
	assert.NoError(t, err)
}

func TestCheckImage(t *testing.T) {
	for _, s := range samples(t) {
		format, err := core.CheckImage(s.data, int64(s.w*s.h))
		require.NoError(t, err, s.name)
		assert.Equal(t, s.format, format, s.name)
		_, err = core.CheckImage(s.data, int64(s.w*s.h-1))
		assert.ErrorIs(t, err, core.ErrTooLarge, "%s one pixel over", s.name)
	}
}

// bombs are under 1 KiB each and declare far more than the default limit.
// JPEG and GIF store sizes in 16 bits, so 65535x65535 is their largest.
func bombs() []struct {
	name string
	data []byte
} {
	return []struct {
		name string
		data []byte
	}{
		{"png 100000x100000", hostile.PNGBomb(100000, 100000)},
		{"png 255x1677721600", hostile.PNGBomb(255, 1677721600)},
		{"jpeg 65535x65535", hostile.JPEGBomb(65535, 65535)},
		{"gif 65535x65535", hostile.GIFBomb(65535, 65535)},
	}
}

// TestBombsRefusedWithoutDecoding: TOO_LARGE from the header alone, with
// the heap growing by nothing like the declared image.
func TestBombsRefusedWithoutDecoding(t *testing.T) {
	for _, b := range bombs() {
		t.Run(b.name, func(t *testing.T) {
			require.Less(t, len(b.data), 1024)
			allocs := allocated(func() {
				_, err := core.CheckImage(b.data, core.DefaultMaxPixels)
				assert.Equal(t, core.StatusTooLarge, core.StatusOf(err), "CheckImage: %v", err)
				assert.ErrorContains(t, err, "pixel limit")
			})
			assert.Less(t, allocs, uint64(1<<20), "CheckImage allocated")
			for _, op := range []core.Op{core.OpThumbnail, core.OpGrayscale, core.OpBlur} {
				var out *bytes.Buffer
				var err error
				allocs := allocated(func() {
					out, err = doJob(t, core.RequestHeader{Op: op, Arg1: 5, Arg2: 5}, b.data)
				})
				assert.Equal(t, core.StatusTooLarge, core.StatusOf(err), "%v: %v", op, err)
				assert.Zero(t, out.Len(), "%v wrote output", op)
				assert.Less(t, allocs, uint64(1<<20), "%v allocated", op)
			}
		})
	}
}

// allocated returns the bytes the heap handed out while f ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestBadPayloads: whatever is not a decodable PNG, JPEG or GIF is
// BAD_REQUEST with a message, and leaves nothing in out.
func TestBadPayloads(t *testing.T) {
	jpg := sampleNamed(t, "scene-1024x768.jpg").data
	pngData := sampleNamed(t, "scene-640x480.png").data
	gifData := sampleNamed(t, "anim-160x120.gif").data
	src, err := png.Decode(bytes.NewReader(pngData))
	require.NoError(t, err)
	progressive := hostile.ProgressiveJPEG(src)
	corrupt := bytes.Clone(pngData)
	for i := 64; i < len(corrupt); i += 97 { // keep the signature and IHDR
		corrupt[i] ^= 0xa5
	}
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	tests := []struct {
		name string
		give []byte
	}{
		{"empty", nil},
		{"random bytes", random},
		{"text", []byte("hello, world")},
		{"truncated jpeg", jpg[:len(jpg)/2]},
		{"jpeg header only", jpg[:600]},
		{"truncated progressive jpeg", progressive[:len(progressive)*2/3]},
		{"png signature and IHDR only", pngData[:33]},
		{"corrupt png after a valid header", corrupt},
		{"truncated png", pngData[:len(pngData)-100]},
		{"truncated gif", gifData[:len(gifData)/2]},
		{"jpeg scan bomb", hostile.JPEGScanBomb(2000, 1500, 10_000)},
	}
	for _, tt := range tests {
		for _, op := range []core.Op{core.OpThumbnail, core.OpGrayscale, core.OpBlur} {
			t.Run(tt.name+"/"+op.String(), func(t *testing.T) {
				out, err := doJob(t, core.RequestHeader{Op: op, Arg1: 5, Arg2: 5}, tt.give)
				require.Error(t, err)
				assert.ErrorIs(t, err, core.ErrBadRequest)
				assert.Equal(t, core.StatusBadRequest, core.StatusOf(err))
				assert.Zero(t, out.Len(), "partial output")
				assert.LessOrEqual(t, len(err.Error()), core.MaxMessage)
			})
		}
	}
	// The untruncated progressive JPEG is fine: the refusal above is the
	// truncation, not the progressive mode.
	_, err = doJob(t, core.RequestHeader{Op: core.OpGrayscale}, progressive)
	assert.NoError(t, err)
}

// TestErrorKeepsEarlierOutput: a failing job removes only what it wrote.
func TestErrorKeepsEarlierOutput(t *testing.T) {
	out := bytes.NewBufferString("earlier")
	h := core.RequestHeader{Op: core.OpBlur, Arg1: 3}
	err := core.Process(t.Context(), &h, []byte("not an image"), out)
	require.ErrorIs(t, err, core.ErrBadRequest)
	assert.Equal(t, "earlier", out.String())
}
