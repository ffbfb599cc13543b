package imaging_test

import (
	"fmt"
	"image"
	"strings"
	"testing"

	xdraw "golang.org/x/image/draw"

	"github.com/tcpimg/tcpimg/core/imaging"
)

func plainCatmullRom(src *image.RGBA, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(dst, dst.Rect, src, src.Rect, xdraw.Src, nil)
	return dst
}

// boxThenCatmullRom is the reference the streaming resampler replaces:
// the box step with one factor for both axes, then draw.CatmullRom.Scale,
// which holds 32 bytes per pixel of the result's width times the
// source's height.
func boxThenCatmullRom(src *image.RGBA, w, h int) *image.RGBA {
	if k := min(src.Rect.Dx()/w, src.Rect.Dy()/h); k >= 2 {
		src = imaging.BoxShrink(src, src.Rect.Dx()/k, src.Rect.Dy()/k)
		if src.Rect.Dx() == w && src.Rect.Dy() == h {
			return src
		}
	}
	return plainCatmullRom(src, w, h)
}

// scaleMethods are the ways BenchmarkScale and BenchmarkScaleNearSize
// scale: the thumbnail pipeline (box step, then the streaming resampler)
// against the box step followed by x/image/draw's CatmullRom, CatmullRom
// and ApproxBiLinear over the whole source.
var scaleMethods = []struct {
	name  string
	scale func(src *image.RGBA, w, h int)
}{
	{"stream", func(src *image.RGBA, w, h int) {
		if _, err := imaging.Thumbnail(src, w, h); err != nil {
			panic(err)
		}
	}},
	{"boxcatmullrom", func(src *image.RGBA, w, h int) { boxThenCatmullRom(src, w, h) }},
	{"catmullrom", func(src *image.RGBA, w, h int) { plainCatmullRom(src, w, h) }},
	{"approxbilinear", func(src *image.RGBA, w, h int) {
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		xdraw.ApproxBiLinear.Scale(dst, dst.Rect, src, src.Rect, xdraw.Src, nil)
	}},
}

// BenchmarkScale measures what the box step buys and what streaming
// costs: every method, each to a 128x128 box from an RGBA source.
func BenchmarkScale(b *testing.B) {
	sizes := []image.Point{{640, 480}, {1024, 768}, {2000, 1500}}
	for _, m := range scaleMethods {
		for _, sz := range sizes {
			src := randomRGBA(newRand(9), image.Rect(0, 0, sz.X, sz.Y))
			w, h, err := imaging.FitSize(sz.X, sz.Y, 128, 128)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("method=%s/size=%dx%d", m.name, sz.X, sz.Y), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(src.Pix)))
				for b.Loop() {
					m.scale(src, w, h)
				}
			})
		}
	}
}

// BenchmarkScaleNearSize is the case the box step cannot help: a box one
// pixel under the image on each side, where the resampler does all the
// work and draw's scaler holds the most memory. Only the two thumbnail
// pipelines run; the other methods are the second one here.
func BenchmarkScaleNearSize(b *testing.B) {
	sizes := []image.Point{{640, 480}, {1024, 768}, {2000, 1500}}
	for _, m := range scaleMethods[:2] {
		for _, sz := range sizes {
			src := randomRGBA(newRand(9), image.Rect(0, 0, sz.X, sz.Y))
			b.Run(fmt.Sprintf("method=%s/size=%dx%d", m.name, sz.X, sz.Y), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(src.Pix)))
				for b.Loop() {
					m.scale(src, sz.X-1, sz.Y-1)
				}
			})
		}
	}
}

// BenchmarkBlur shows that sliding sums keep the cost flat in the radius.
func BenchmarkBlur(b *testing.B) {
	src := randomRGBA(newRand(10), image.Rect(0, 0, 1024, 768))
	for _, r := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("radius=%d/size=1024x768", r), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src.Pix)))
			for b.Loop() {
				if _, err := imaging.Blur(src, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGrayscale covers the fast path of each type a decoder returns.
func BenchmarkGrayscale(b *testing.B) {
	r := image.Rect(0, 0, 1024, 768)
	rgba := randomRGBA(newRand(11), r)
	imgs := []struct {
		name string
		img  image.Image
	}{
		{"rgba", rgba},
		{"nrgba", randomNRGBA(newRand(12), r)},
		{"ycbcr420", randomYCbCr(newRand(13), r, image.YCbCrSubsampleRatio420)},
		{"paletted", randomPaletted(newRand(14), r)},
		{"generic", image.NewRGBA64(r)},
	}
	for _, m := range imgs {
		b.Run(fmt.Sprintf("type=%s/size=1024x768", m.name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				imaging.Grayscale(m.img)
			}
		})
	}
}

// BenchmarkDecodeThumbnail compares THUMBNAIL's decode and scaling of a
// JPEG with shrink on load (DecodeThumbnail) against the full decode then
// Thumbnail, for a baseline and a progressive file at scales 1/2, 1/4 and
// 1/8 (boxes 300, 128 and 64 on 1024- and 2000-pixel images), with their
// allocations: memory falls with the scale.
func BenchmarkDecodeThumbnail(b *testing.B) {
	files := jpegFiles(b)
	paths := []struct {
		name  string
		thumb func(data []byte, box int) (image.Image, error)
	}{
		{"shrink-on-load", func(data []byte, box int) (image.Image, error) {
			img, _, err := imaging.DecodeThumbnail(data, box, box, 1<<30)
			return img, err
		}},
		{"full", func(data []byte, box int) (image.Image, error) {
			img, _, err := imaging.Decode(data, 1<<30)
			if err != nil {
				return nil, err
			}
			return imaging.Thumbnail(img, box, box)
		}},
	}
	for _, file := range []string{"scene-2000x1500.jpg", "progressive-1024x768.jpg"} {
		data := files[file]
		for _, box := range []int{300, 128, 64} {
			for _, p := range paths {
				name := fmt.Sprintf("file=%s/box=%d/path=%s", strings.TrimSuffix(file, ".jpg"), box, p.name)
				b.Run(name, func(b *testing.B) {
					b.ReportAllocs()
					b.SetBytes(int64(len(data)))
					for b.Loop() {
						if _, err := p.thumb(data, box); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}
