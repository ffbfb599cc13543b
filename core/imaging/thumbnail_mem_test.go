package imaging_test

import (
	"image"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core/imaging"
)

// thumbnailFixedAlloc is what a THUMBNAIL may allocate whatever the image
// size: the resampler's weights and ring of rows (a few rows of a
// 1024-column stripe), and a converted strip of rows for a source that is
// not RGBA.
const thumbnailFixedAlloc = 1 << 20

// thumbnailBudget is what a THUMBNAIL of a w x h image into the box may
// allocate: the result and, when a side shrinks by 2 or more, the box
// step's output, 4 bytes a pixel each, plus [thumbnailFixedAlloc]. The
// source is never copied, whatever its type, and no step holds the image
// in floating point (draw.CatmullRom.Scale holds 32 bytes per pixel of
// its result's width times its source's height).
func thumbnailBudget(t *testing.T, w, h, maxW, maxH int) uint64 {
	tw, th, err := imaging.FitSize(w, h, maxW, maxH)
	require.NoError(t, err)
	budget := 4*tw*th + thumbnailFixedAlloc
	if kx, ky := w/tw, h/th; kx >= 2 || ky >= 2 {
		budget += 4 * (w / kx) * (h / ky)
	}
	return uint64(budget)
}

// allocated is what f allocates, by the process-wide counter. Anything
// else running may allocate meanwhile, so a count over limit is taken
// again, up to three runs in all, and the least is returned: a function
// that really allocates too much does so every time.
func allocated(limit uint64, f func()) uint64 {
	least := ^uint64(0)
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		least = min(least, after.TotalAlloc-before.TotalAlloc)
		if least <= limit {
			break
		}
	}
	return least
}

// TestThumbnailMemory bounds a THUMBNAIL's allocations by
// [thumbnailBudget], on the shapes that cost most: a box just under the
// image (no box step, every source row resampled), sources of other types,
// and strips a pixel or two thin, where tables per destination column
// would outweigh the pixels.
func TestThumbnailMemory(t *testing.T) {
	w, h, long := 4000, 3000, 1_000_000
	if raceEnabled {
		w, h, long = 1200, 900, 200_000 // same shapes, a twentieth of the time
	}
	rng := newRand(24)
	rgba := randomRGBA(rng, image.Rect(0, 0, w, h))
	tests := []struct {
		name string
		give image.Image
		box  image.Point
	}{
		{"rgba just under", rgba, image.Pt(w-1, h-1)},
		{"rgba under 2x", rgba, image.Pt(w*10/19, 0)},
		{"rgba with box step", rgba, image.Pt(w/2-1, 0)},
		{"nrgba just under", randomNRGBA(rng, image.Rect(0, 0, w, h)), image.Pt(w-1, h-1)},
		{"ycbcr420 under 2x", randomYCbCr(rng, image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420), image.Pt(w*10/19, 0)},
		{"paletted just under", randomPaletted(rng, image.Rect(0, 0, w, h)), image.Pt(w-1, h-1)},
		{"wide strip", randomRGBA(rng, image.Rect(0, 0, long, 3)), image.Pt(0, 2)},
		{"tall strip", randomRGBA(rng, image.Rect(0, 0, 3, long)), image.Pt(2, 0)},
		{"wide strip to a small box", randomRGBA(rng, image.Rect(0, 0, long, 3)), image.Pt(1000, 1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.give.Bounds()
			budget := thumbnailBudget(t, b.Dx(), b.Dy(), tt.box.X, tt.box.Y)
			var err error
			got := allocated(budget, func() { _, err = imaging.Thumbnail(tt.give, tt.box.X, tt.box.Y) })
			require.NoError(t, err)
			t.Logf("allocated %.2f MiB, budget %.2f MiB", float64(got)/(1<<20), float64(budget)/(1<<20))
			require.LessOrEqual(t, got, budget, "bytes allocated for %v into %v", b.Size(), tt.box)
		})
	}
}
