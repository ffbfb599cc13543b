package imageset

import (
	"image"
	"image/color"
	"image/gif"
	"math/rand/v2"
)

// Scene draws an opaque landscape: a sky gradient, a sun with a soft edge,
// a row of buildings with lit windows, and textured ground. Edges, flat
// areas, gradients and noise together exercise scaling and JPEG well.
func Scene(w, h int, seed uint64) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 0x7463_7069_6d67))
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	horizon := h * 2 / 3
	top, bottom := color.RGBA{38, 84, 168, 255}, color.RGBA{214, 226, 240, 255}
	for y := range horizon {
		c := lerpRGB(top, bottom, y, horizon)
		for x := range w {
			m.SetRGBA(x, y, c)
		}
	}
	sun(m, w*3/4, h/4, h/9)
	buildings(m, rng, horizon)
	ground(m, rng, horizon)
	return m
}

// sun draws a disc whose edge fades over a few pixels, blended over the sky.
func sun(m *image.RGBA, cx, cy, r int) {
	core := color.RGBA{252, 222, 120, 255}
	edge := max(2, r/12)
	outer := (r + edge) * (r + edge)
	for y := cy - r - edge; y <= cy+r+edge; y++ {
		for x := cx - r - edge; x <= cx+r+edge; x++ {
			if !(image.Point{x, y}).In(m.Rect) {
				continue
			}
			d2 := (x-cx)*(x-cx) + (y-cy)*(y-cy)
			if d2 >= outer {
				continue
			}
			// Coverage falls linearly from r*r to outer (in squared units).
			t := 256
			if d2 > r*r {
				t = 256 * (outer - d2) / (outer - r*r)
			}
			bg := m.RGBAAt(x, y)
			m.SetRGBA(x, y, lerpRGB(bg, core, t, 256))
		}
	}
}

func buildings(m *image.RGBA, rng *rand.Rand, horizon int) {
	w := m.Rect.Dx()
	unit := max(4, w/64)
	for x := 0; x < w; {
		bw := unit * (2 + rng.IntN(4))
		bh := horizon * (15 + rng.IntN(40)) / 100
		shade := uint8(40 + rng.IntN(70))
		wall := color.RGBA{shade, shade - 10, shade + 20, 255}
		lit := color.RGBA{250, 230, 150, 255}
		for y := horizon - bh; y < horizon; y++ {
			for xx := x; xx < min(x+bw, w); xx++ {
				c := wall
				wx, wy := (xx-x)%unit, (y-horizon+bh)%unit
				if wx > unit/4 && wx < unit*3/4 && wy > unit/4 && wy < unit*3/4 && (xx/unit+y/unit)%3 != 0 {
					c = lit
				}
				m.SetRGBA(xx, y, c)
			}
		}
		x += bw + unit*rng.IntN(2)
	}
}

// ground is a green-to-brown gradient with stripes and fine noise.
func ground(m *image.RGBA, rng *rand.Rand, horizon int) {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	near, far := color.RGBA{96, 70, 40, 255}, color.RGBA{70, 130, 60, 255}
	period := max(8, w/40)
	for y := horizon; y < h; y++ {
		base := lerpRGB(far, near, y-horizon, h-horizon)
		for x := range w {
			stripe := tri(x+y/2, period)/16 - 8
			n := rng.IntN(17) - 8
			m.SetRGBA(x, y, color.RGBA{
				clamp8(int(base.R) + stripe + n),
				clamp8(int(base.G) + stripe + n),
				clamp8(int(base.B) + n),
				255,
			})
		}
	}
}

// Alpha draws coloured rings on a background that fades from opaque in the
// centre to fully transparent at the corners, plus a half-transparent band:
// every alpha value from 0 to 255 occurs, as non-premultiplied NRGBA.
func Alpha(w, h int, seed uint64) *image.NRGBA {
	rng := rand.New(rand.NewPCG(seed, 0x616c_7068_61))
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	cx, cy := w/2, h/2
	maxD2 := cx*cx + cy*cy
	period := max(8, w/10)
	for y := range h {
		for x := range w {
			d2 := (x-cx)*(x-cx) + (y-cy)*(y-cy)
			a := 255 - 255*d2/maxD2
			r := tri(isqrt(d2), period)
			c := color.NRGBA{clamp8(r), clamp8(255 - r), clamp8(64 + x*191/w), clamp8(a)}
			if y > h/3 && y < h/3+h/8 {
				c.A = 128
			}
			if rng.IntN(64) == 0 {
				c.A = 0
			}
			m.SetNRGBA(x, y, c)
		}
	}
	return m
}

// Gray draws an 8-bit gray image: a diagonal ramp, concentric rings and a
// checkerboard corner.
func Gray(w, h int) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	cx, cy := w/2, h/2
	for y := range h {
		for x := range w {
			v := 255 * (x + y) / (w + h - 2)
			if d := isqrt((x-cx)*(x-cx) + (y-cy)*(y-cy)); d < min(w, h)/3 {
				v = tri(d, 12)
			}
			if x < w/4 && y < h/4 && (x/8+y/8)%2 == 0 {
				v = 255 - v
			}
			m.SetGray(x, y, color.Gray{clamp8(v)})
		}
	}
	return m
}

// Anim is a two-frame GIF on a 64-colour palette plus a transparent entry.
// The second frame covers only part of the screen; decoders that honour
// "first frame only" must not show it.
func Anim(w, h int, seed uint64) *gif.GIF {
	pal := make(color.Palette, 0, 65)
	for i := range 64 {
		pal = append(pal, color.RGBA{uint8(i >> 4 * 85), uint8(i >> 2 & 3 * 85), uint8(i & 3 * 85), 255})
	}
	pal = append(pal, color.RGBA{})
	transparent := uint8(len(pal) - 1)

	scene := Scene(w, h, seed)
	first := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	for y := range h {
		for x := range w {
			c := scene.RGBAAt(x, y)
			first.SetColorIndex(x, y, c.R>>6<<4|c.G>>6<<2|c.B>>6)
		}
	}
	for y := range h / 10 {
		for x := range w / 10 {
			first.SetColorIndex(x, y, transparent)
		}
	}
	second := image.NewPaletted(image.Rect(w/4, h/4, w/2, h/2), pal)
	for i := range second.Pix {
		second.Pix[i] = uint8(i % 64)
	}
	return &gif.GIF{
		Image:    []*image.Paletted{first, second},
		Delay:    []int{50, 50},
		Disposal: []byte{gif.DisposalNone, gif.DisposalNone},
	}
}

// isqrt returns floor(sqrt(n)) for n >= 0.
func isqrt(n int) int {
	if n < 2 {
		return n
	}
	x := n
	y := (x + 1) / 2
	for y < x {
		x = y
		y = (x + n/x) / 2
	}
	return x
}
