// Package imageset draws tcpimg's sample images: a few sizes of PNG, JPEG
// and GIF with gradients, shapes and texture, so that every operation and
// every decoder fast path has something realistic to chew on.
//
// Drawing uses integer arithmetic and math/rand/v2 with fixed seeds only
// (floating point may fuse differently on other architectures), so the
// files are identical on every machine with the same Go release.
package imageset

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
)

// File is one sample image: its file name and encoded bytes.
type File struct {
	Name string
	Data []byte
}

// Files draws and encodes the whole set, in a fixed order.
func Files() ([]File, error) {
	makers := []struct {
		name string
		make func() ([]byte, error)
	}{
		{"scene-2000x1500.jpg", func() ([]byte, error) { return encodeJPEG(Scene(2000, 1500, 1), 80) }},
		{"scene-1024x768.jpg", func() ([]byte, error) { return encodeJPEG(Scene(1024, 768, 2), 85) }},
		{"scene-640x480.png", func() ([]byte, error) { return encodePNG(Scene(640, 480, 3)) }},
		{"alpha-320x240.png", func() ([]byte, error) { return encodePNG(Alpha(320, 240, 4)) }},
		{"gray-256x256.png", func() ([]byte, error) { return encodePNG(Gray(256, 256)) }},
		{"anim-160x120.gif", func() ([]byte, error) { return encodeGIF(Anim(160, 120, 5)) }},
	}
	files := make([]File, 0, len(makers))
	for _, m := range makers {
		data, err := m.make()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.name, err)
		}
		files = append(files, File{Name: m.name, Data: data})
	}
	return files, nil
}

// Write writes the set into dir, creating it if needed.
func Write(dir string) error {
	files, err := Files()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	err := png.Encode(&b, img)
	return b.Bytes(), err
}

func encodeJPEG(img image.Image, quality int) ([]byte, error) {
	var b bytes.Buffer
	err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality})
	return b.Bytes(), err
}

func encodeGIF(g *gif.GIF) ([]byte, error) {
	var b bytes.Buffer
	err := gif.EncodeAll(&b, g)
	return b.Bytes(), err
}

// lerp blends a into b by t/n with integer rounding.
func lerp(a, b uint8, t, n int) uint8 {
	return uint8((int(a)*(n-t) + int(b)*t + n/2) / n)
}

func lerpRGB(a, b color.RGBA, t, n int) color.RGBA {
	return color.RGBA{lerp(a.R, b.R, t, n), lerp(a.G, b.G, t, n), lerp(a.B, b.B, t, n), 255}
}

func clamp8(v int) uint8 {
	return uint8(min(max(v, 0), 255))
}

// tri is a triangle wave of period p and amplitude 0..255, the integer
// stand-in for a sine.
func tri(x, p int) int {
	x = ((x % p) + p) % p
	if x < p/2 {
		return 510 * x / p
	}
	return 510 * (p - x) / p
}
