package imaging_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core/imaging"
)

func TestFitSize(t *testing.T) {
	type size struct{ w, h int }
	tests := []struct {
		name string
		give size // the image
		box  size
		want size
	}{
		{"landscape in square box", size{1024, 768}, size{128, 128}, size{128, 96}},
		{"portrait in square box", size{768, 1024}, size{128, 128}, size{96, 128}},
		{"free width", size{2000, 1500}, size{0, 100}, size{133, 100}},
		{"free height", size{2000, 1500}, size{100, 0}, size{100, 75}},
		{"exact aspect", size{300, 200}, size{150, 100}, size{150, 100}},
		{"height limits a wide box", size{300, 200}, size{1000, 50}, size{75, 50}},
		{"rounds down below a half", size{640, 480}, size{0, 479}, size{639, 479}},
		{"rounds up above a half", size{5, 3}, size{3, 0}, size{3, 2}},
		{"rounds a half up", size{4, 2}, size{3, 0}, size{3, 2}},
		{"thin side kept at least 1", size{100, 1}, size{10, 10}, size{10, 1}},
		{"tall thin side kept at least 1", size{1, 100}, size{10, 10}, size{1, 10}},
		{"fits already", size{640, 480}, size{1000, 1000}, size{640, 480}},
		{"fits exactly", size{640, 480}, size{640, 480}, size{640, 480}},
		{"fits with free height", size{640, 480}, size{640, 0}, size{640, 480}},
		{"fits with free width", size{640, 480}, size{0, 480}, size{640, 480}},
		{"never enlarged by a free side", size{64, 48}, size{0, 4000}, size{64, 48}},
		{"one side fits, other limits", size{100, 400}, size{200, 100}, size{25, 100}},
		{"1x1 stays", size{1, 1}, size{1, 0}, size{1, 1}},
		{"huge sides do not overflow", size{math.MaxInt32, math.MaxInt32}, size{math.MaxUint32, 1}, size{1, 1}},
		{"huge width to one pixel", size{math.MaxInt32, 2}, size{1, 0}, size{1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, h, err := imaging.FitSize(tt.give.w, tt.give.h, tt.box.w, tt.box.h)
			require.NoError(t, err)
			assert.Equal(t, tt.want, size{w, h})
		})
	}
}

func TestFitSizeRefusesBadArguments(t *testing.T) {
	tests := []struct {
		name             string
		w, h, maxW, maxH int
	}{
		{"0x0 box", 10, 10, 0, 0},
		{"negative box width", 10, 10, -1, 5},
		{"negative box height", 10, 10, 5, -1},
		{"empty image", 0, 10, 5, 5},
		{"negative image", 10, -3, 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := imaging.FitSize(tt.w, tt.h, tt.maxW, tt.maxH)
			assert.ErrorIs(t, err, imaging.ErrArgument)
		})
	}
}

// TestFitSizeProperties checks the rule on many random sizes: inside the
// box, never larger than the image, the limiting side equal to its bound,
// and the other side within half a pixel of the exact aspect ratio.
func TestFitSizeProperties(t *testing.T) {
	rng := newRand(1)
	for range 20000 {
		w, h := 1+rng.IntN(3000), 1+rng.IntN(3000)
		maxW, maxH := rng.IntN(3200), rng.IntN(3200)
		if maxW == 0 && maxH == 0 {
			continue
		}
		gw, gh, err := imaging.FitSize(w, h, maxW, maxH)
		require.NoError(t, err)
		require.LessOrEqual(t, gw, w)
		require.LessOrEqual(t, gh, h)
		if maxW > 0 {
			require.LessOrEqual(t, gw, maxW)
		}
		if maxH > 0 {
			require.LessOrEqual(t, gh, maxH)
		}
		bw, bh := bound(maxW, w), bound(maxH, h)
		// Width limits: |gh - h*gw/w| <= 1/2 (or gh is the floor of 1);
		// or height limits, likewise.
		widthLimits := gw == bw && (2*abs(gh*w-h*gw) <= w || gh == 1)
		heightLimits := gh == bh && (2*abs(gw*h-w*gh) <= h || gw == 1)
		require.True(t, widthLimits || heightLimits, "%dx%d in %dx%d gave %dx%d", w, h, maxW, maxH, gw, gh)
	}
}

func bound(box, side int) int {
	if box == 0 || box > side {
		return side
	}
	return box
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
