package imaging_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core/imaging"
)

func TestEncodePNGRoundTrips(t *testing.T) {
	rng := newRand(14)
	tests := []struct {
		name string
		give image.Image
	}{
		{"gray", randomGray(rng, image.Rect(0, 0, 33, 17))},
		{"opaque rgba", opaque(randomRGBA(rng, image.Rect(0, 0, 33, 17)))},
		{"paletted", randomPaletted(rng, image.Rect(0, 0, 33, 17))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, imaging.EncodePNG(&b, tt.give))
			got, err := png.Decode(&b)
			require.NoError(t, err)
			assert.IsType(t, tt.give, got, "the type survives, so gray stays one channel")
			requireSameRGBA(t, tt.give, got)
		})
	}
}

func TestEncodeJPEGQuality(t *testing.T) {
	img := randomRGBA(newRand(15), image.Rect(0, 0, 40, 30))
	var dflt, q85, q10 bytes.Buffer
	require.NoError(t, imaging.EncodeJPEG(&dflt, img, 0))
	require.NoError(t, jpeg.Encode(&q85, img, &jpeg.Options{Quality: 85}))
	require.NoError(t, imaging.EncodeJPEG(&q10, img, 10))
	assert.Equal(t, q85.Bytes(), dflt.Bytes(), "quality 0 means 85")
	assert.Less(t, q10.Len(), dflt.Len())
	for _, q := range []int{-1, 101} {
		assert.ErrorIs(t, imaging.EncodeJPEG(&bytes.Buffer{}, img, q), imaging.ErrArgument, "quality %d", q)
	}
}

func opaque(m *image.RGBA) *image.RGBA {
	for i := 3; i < len(m.Pix); i += 4 {
		m.Pix[i] = 255
	}
	return m
}
