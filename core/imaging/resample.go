package imaging

import (
	"image"
	"math"

	xdraw "golang.org/x/image/draw"
)

// resampleKernel is x/image/draw's own Catmull-Rom kernel: weights come
// from its At and Support, so results keep its quality and stay within a
// unit per channel of draw.CatmullRom.Scale.
var resampleKernel = xdraw.CatmullRom

// resampleStripe is how many destination columns are resampled together.
// The working memory is a few rows of one stripe, so it stays small (and
// in cache) however wide the image is, even an image one pixel tall.
const resampleStripe = 1024

// convertStripRows is how many rows of a source that is not RGBA are
// converted at once: enough to spread a conversion call's fixed cost.
const convertStripRows = 16

// resample scales src onto the whole of dst with the Catmull-Rom kernel,
// as draw.CatmullRom.Scale(dst, dst.Rect, src, src.Bounds(), draw.Src,
// nil) does, give or take a unit per 8-bit channel (float32 arithmetic).
//
// draw.Kernel.Scale first scales every source row horizontally into a
// float64 image of dst's width and src's height (32 bytes a pixel, so
// near 1:1 some 32 bytes per source pixel), then scales that vertically.
// resample computes the same two passes a stripe of destination columns
// at a time, and keeps only the horizontally scaled rows that the current
// destination row's vertical window needs, in a ring: a destination row
// is a weighted sum of those rows, and the next row's window starts at or
// after this one's. Memory beyond src and dst is O(taps x stripe) for the
// ring and the stripe's weights, where taps, the source pixels one
// destination pixel sums on an axis, grows with the scale factor (4 or 5
// near 1:1, at most 9 below 2x): callers shrink by large factors with
// another method first.
//
// Weights are those of x/image/draw: the kernel widened by the scale
// factor when shrinking, cut at the image's edges and normalised to sum
// to 1 per destination pixel. Values are premultiplied RGBA; colour is
// clamped to alpha and every channel to 0..255 at the end, as draw does.
func resample(dst *image.RGBA, src image.Image, stripe int) {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	dw, dh := dst.Rect.Dx(), dst.Rect.Dy()
	if sw <= 0 || sh <= 0 || dw <= 0 || dh <= 0 {
		return
	}
	hor := newAxis(resampleKernel, dw, sw)
	ver := newAxis(resampleKernel, dh, sh)
	stripe = max(1, min(stripe, dw))

	hWeights := make([]float32, stripe*hor.taps)
	hStarts := make([]int, stripe)
	vWeights := make([]float32, ver.taps)
	raw := make([]float64, max(hor.maxCandidates(), ver.maxCandidates()))
	// Slot i of the ring (4*stripe values from ringBuf[i*4*stripe]) holds
	// the horizontally scaled source row held[i]; row y goes to slot
	// y % ver.taps. Any ver.taps consecutive rows fall in distinct slots,
	// so a window is always whole in the ring, and since windows only move
	// down, each row is computed once per stripe.
	ringBuf := make([]float32, ver.taps*4*stripe)
	held := make([]int, ver.taps)
	window := make([][]float32, ver.taps) // the rows a destination row sums
	acc := make([]float32, 4*stripe)
	var srcF []float32 // a source row of the stripe, in float32
	rows := newRowSource(src)

	for dx0 := 0; dx0 < dw; dx0 += stripe {
		n := min(stripe, dw-dx0)
		sx0, sx1 := sw, 0
		for x := range n {
			s := hor.weights(dx0+x, hWeights[x*hor.taps:(x+1)*hor.taps], raw)
			hStarts[x] = s
			sx0, sx1 = min(sx0, s), max(sx1, s+hor.taps)
		}
		for x := range n {
			hStarts[x] -= sx0
		}
		rows.columns(sx0, sx1)
		for i := range held {
			held[i] = -1
		}
		for dy := range dh {
			s := ver.weights(dy, vWeights, raw)
			for k := range window {
				y := s + k
				slot := y % ver.taps
				row := ringBuf[slot*4*stripe:][:4*n]
				if held[slot] != y {
					src := rows.row(y)
					if len(srcF) < len(src) {
						srcF = make([]float32, len(src))
					}
					scaleRow(row, src, srcF, hStarts[:n], hWeights, hor.taps)
					held[slot] = y
				}
				window[k] = row
			}
			sumRows(acc[:4*n], window, vWeights)
			emitRow(dst.Pix[dst.PixOffset(dst.Rect.Min.X+dx0, dst.Rect.Min.Y+dy):][:4*n], acc[:4*n])
		}
	}
}

// axis maps sw source columns (or rows) onto dw destination ones exactly
// as x/image/draw's newDistrib does, one destination index at a time so
// that no table of every index's weights is ever held.
type axis struct {
	kernel    *xdraw.Kernel
	sw        int
	scale     float64 // source units per destination unit
	halfWidth float64 // of the kernel, in source units
	argScale  float64 // maps a source distance to the kernel's argument
	// taps is the widest span of source indices, over all destination
	// indices, that the kernel reaches: every index's weights fit in taps
	// slots.
	taps int
}

func newAxis(k *xdraw.Kernel, dw, sw int) axis {
	a := axis{kernel: k, sw: sw, scale: float64(sw) / float64(dw), halfWidth: k.Support, argScale: 1}
	// When shrinking, the kernel widens so that every source pixel counts.
	if a.scale > 1 {
		a.halfWidth *= a.scale
		a.argScale = 1 / a.scale
	}
	if dw == sw {
		// Each index takes its own source index: the kernel is 1 at 0
		// and exactly 0 at the neighbours, a distance of 1 away.
		a.taps = 1
		return a
	}
	for x := range dw {
		lo, hi := a.reach(x)
		a.taps = max(a.taps, hi-lo)
	}
	a.taps = max(a.taps, 1)
	return a
}

// reach returns the source indices lo..hi-1 that the kernel reaches from
// destination index x: those of newDistrib's candidates whose distance is
// inside the kernel's support. It evaluates no weight, so sizing the
// taps costs a fraction of computing them.
func (a *axis) reach(x int) (lo, hi int) {
	center := float64((float64(x)+0.5)*a.scale) - 0.5
	lo = max(int(math.Floor(center-a.halfWidth)), 0)
	hi = min(int(math.Ceil(center+a.halfWidth)), a.sw)
	for lo < hi && math.Abs((center-float64(lo))*a.argScale) >= a.kernel.Support {
		lo++
	}
	for hi > lo && math.Abs((center-float64(hi-1))*a.argScale) >= a.kernel.Support {
		hi--
	}
	return lo, hi
}

// maxCandidates bounds the source indices rawWeights looks at for one
// destination index: those between floor(center-halfWidth) and
// ceil(center+halfWidth).
func (a *axis) maxCandidates() int {
	return min(int(math.Ceil(2*a.halfWidth))+2, a.sw)
}

// rawWeights writes into raw the kernel's weights of source indices
// first..first+n-1 for destination index x (zero weights inside the span
// included) and returns first, n and their sum. The arithmetic is
// newDistrib's, step for step, so the same indices get the same weights.
func (a *axis) rawWeights(x int, raw []float64) (first, n int, total float64) {
	center := float64((float64(x)+0.5)*a.scale) - 0.5
	i := max(int(math.Floor(center-a.halfWidth)), 0)
	j := min(int(math.Ceil(center+a.halfWidth)), a.sw)
	first = -1
	for coord := i; coord < j; coord++ {
		t := math.Abs((center - float64(coord)) * a.argScale)
		if t >= a.kernel.Support {
			continue
		}
		w := a.kernel.At(t)
		if w == 0 {
			continue
		}
		if first < 0 {
			first = coord
		}
		for n < coord-first {
			raw[n] = 0 // a zero weight inside the span
			n++
		}
		raw[n] = w
		n++
		total += w
	}
	return max(first, 0), n, total
}

// weights fills w (a.taps long) with the normalised weights of source
// indices start..start+a.taps-1 for destination index x and returns
// start. The span is moved left at the far edge so that it stays inside
// the source.
func (a *axis) weights(x int, w []float32, raw []float64) (start int) {
	first, n, total := a.rawWeights(x, raw)
	start = max(0, min(first, a.sw-a.taps))
	clear(w)
	if total == 0 {
		return start
	}
	inv := 1 / total
	for k, rw := range raw[:n] {
		w[first-start+k] = float32(rw * inv)
	}
	return start
}

// scaleRow is the horizontal pass over one source row: out[4x:4x+4] is
// the weighted sum of the taps pixels of src from pixel starts[x]. The row
// is converted to float32 into tmp first, once per pixel rather than once
// per tap.
func scaleRow(out []float32, src []uint8, tmp []float32, starts []int, w []float32, taps int) {
	out = out[:4*len(starts)]
	tmp = tmp[:len(src)]
	for i, v := range src {
		tmp[i] = float32(v)
	}
	for x, s := range starts {
		p := tmp[4*s : 4*(s+taps)]
		ws := w[x*taps : (x+1)*taps]
		var r, g, b, a float32
		for k, wk := range ws {
			q := p[4*k : 4*k+4 : 4*k+4]
			r += wk * q[0]
			g += wk * q[1]
			b += wk * q[2]
			a += wk * q[3]
		}
		o := out[4*x : 4*x+4 : 4*x+4]
		o[0], o[1], o[2], o[3] = r, g, b, a
	}
}

// sumRows is the vertical pass: acc is the sum of rows weighted by w.
// Rows are taken two at a time, which halves the passes over acc.
func sumRows(acc []float32, rows [][]float32, w []float32) {
	k := 1
	if len(rows)%2 == 0 {
		k = 2
		r0, r1, w0, w1 := rows[0][:len(acc)], rows[1][:len(acc)], w[0], w[1]
		for i := range acc {
			acc[i] = w0*r0[i] + w1*r1[i]
		}
	} else {
		r0, w0 := rows[0][:len(acc)], w[0]
		for i := range acc {
			acc[i] = w0 * r0[i]
		}
	}
	for ; k+1 < len(rows); k += 2 {
		r0, r1, w0, w1 := rows[k][:len(acc)], rows[k+1][:len(acc)], w[k], w[k+1]
		for i := range acc {
			acc[i] += w0*r0[i] + w1*r1[i]
		}
	}
}

// emitRow converts summed premultiplied values to 8 bits the way
// x/image/draw does: 0..255 mapped to 0..65535 and rounded, every channel
// clamped to that range and colour to alpha, and the high byte kept. The
// clamps are done on integers, where they cost no branch: the mapping is
// monotonic, so clamping after it is clamping before.
func emitRow(out []uint8, acc []float32) {
	out = out[:len(acc)]
	for i := 0; i+3 < len(acc); i += 4 {
		p := acc[i : i+4 : i+4]
		a := to16(p[3])
		o := out[i : i+4 : i+4]
		o[0] = uint8(min(to16(p[0]), a) >> 8)
		o[1] = uint8(min(to16(p[1]), a) >> 8)
		o[2] = uint8(min(to16(p[2]), a) >> 8)
		o[3] = uint8(a >> 8)
	}
}

func to16(v float32) int32 {
	return min(max(int32(257*v+0.5), 0), 0xffff)
}

// rowSource hands out source rows as RGBA bytes, over the columns of the
// current stripe. An RGBA source is read in place; any other type is
// converted a strip of rows at a time, so no full-size copy is made.
type rowSource struct {
	src    image.Image
	rgba   *image.RGBA // src, when it can be read in place
	x0, x1 int         // columns of the stripe, from src's left edge
	strip  image.RGBA  // converted rows y0.. of the stripe's columns
	y0     int
	buf    []uint8
}

func newRowSource(src image.Image) *rowSource {
	s := &rowSource{src: src}
	s.rgba, _ = src.(*image.RGBA)
	return s
}

func (s *rowSource) columns(x0, x1 int) {
	s.x0, s.x1 = x0, x1
	s.strip.Rect = image.Rectangle{} // nothing converted for these columns
}

// row returns source row y (from src's top) over the stripe's columns.
func (s *rowSource) row(y int) []uint8 {
	b := s.src.Bounds()
	w := s.x1 - s.x0
	if s.rgba != nil {
		return s.rgba.Pix[s.rgba.PixOffset(b.Min.X+s.x0, b.Min.Y+y):][:4*w]
	}
	if y < s.y0 || y >= s.y0+s.strip.Rect.Dy() {
		n := min(convertStripRows, b.Dy()-y)
		if len(s.buf) < 4*w*n {
			s.buf = make([]uint8, 4*w*min(convertStripRows, b.Dy()))
		}
		s.strip = image.RGBA{Pix: s.buf[:4*w*n], Stride: 4 * w, Rect: image.Rect(0, 0, w, n)}
		convertRect(&s.strip, s.src, s.x0, y)
		s.y0 = y
	}
	return s.strip.Pix[(y-s.y0)*s.strip.Stride:][:4*w]
}
