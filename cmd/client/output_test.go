package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestExtOf(t *testing.T) {
	tests := []struct {
		give []byte
		want string
	}{
		{[]byte("\x89PNG\r\n\x1a\n...."), ".png"},
		{[]byte("\xff\xd8\xff\xe0...."), ".jpg"},
		{[]byte("GIF89a...."), ".gif"},
		{[]byte("plain bytes"), ".bin"},
		{nil, ".bin"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, extOf(tt.give), "%q", tt.give)
	}
}

func TestSetStems(t *testing.T) {
	tests := []struct {
		name string
		give []string
		want []string
	}{
		{"distinct", []string{"a.png", "b.jpg", "c.jpeg"}, []string{"a", "b", "c"}},
		{"shared stem", []string{"a.gif", "a.png", "b.png"}, []string{"a_gif", "a_png", "b"}},
		{"dots inside", []string{"x.y.png"}, []string{"x.y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imgs := make([]inputImage, len(tt.give))
			for i, n := range tt.give {
				imgs[i].name = n
			}
			setStems(imgs)
			var got []string
			for _, img := range imgs {
				got = append(got, img.stem)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
