package jpegscale

import "math"

// form is a way of turning an 8x8 block of coefficients into n x n pixels.
type form int

const (
	// formAverage is the exact mean of the full inverse DCT over each
	// output pixel's s x s group of pixels (s = 8/n). The mean of a cosine
	// over a group is a known factor, so the reduced transform is a full
	// one with another table: every coefficient counts, attenuated as a
	// box filter attenuates its frequency.
	formAverage form = iota
	// formLowFrequency is libjpeg's reduced transform (jidctred.c): only
	// the n x n lowest frequencies, evaluated at each group's centre.
	// It drops the rest unfiltered, which aliases less smoothly.
	formLowFrequency
)

// basis[f][n] is the n x 8 matrix A of form f: output pixel i of a 1-D
// block is sum over u of A[i][u] * F[u], so a 2-D block is A F A^T.
var basis = func() (t [2][9][][8]float32) {
	for _, n := range []int{1, 2, 4, 8} {
		s := 8 / n
		avg := make([][8]float32, n)
		low := make([][8]float32, n)
		for i := range n {
			for u := range 8 {
				cu := 0.5
				if u == 0 {
					cu = 0.5 / math.Sqrt2
				}
				var sum float64
				for x := s * i; x < s*(i+1); x++ {
					sum += math.Cos(float64((2*x+1)*u) * math.Pi / 16)
				}
				avg[i][u] = float32(cu * sum / float64(s))
				if u < n {
					low[i][u] = float32(cu * math.Cos(float64((2*i+1)*u)*math.Pi/float64(2*n)))
				}
			}
		}
		t[formAverage][n], t[formLowFrequency][n] = avg, low
	}
	return t
}()

// extremeCoef bounds the dequantised coefficients of real 8-bit images
// (at most 2048 and a half quantisation step in magnitude): past it, see
// decoder.extreme.
const extremeCoef = 1 << 12

// reconstruct dequantises blk (quantised, natural order; coefficients
// past zig-zag index last are zero) with q (zig-zag order), transforms it
// to n x n pixels and writes them to dst, rows stride apart.
func (d *decoder) reconstruct(blk *[blockSize]int32, q *[blockSize]int32, last int32, dst []uint8, stride int) {
	n := d.n
	if last == 0 {
		// Only the DC: every pixel is the block's mean, DC/8.
		v := blk[0] * q[0]
		d.checkExtreme(v)
		p := clampByte(float32(v)*0.125 + 128.5)
		for i := range n {
			row := dst[i*stride : i*stride+n]
			for j := range row {
				row[j] = p
			}
		}
		return
	}
	var f [blockSize]float32
	rmax, cmax := 0, 0
	for z := int32(0); z <= last; z++ {
		k := unzig[z]
		if c := blk[k]; c != 0 {
			v := c * q[z]
			d.checkExtreme(v)
			f[k] = float32(v)
			rmax, cmax = max(rmax, int(k>>3)), max(cmax, int(k&7))
		}
	}
	a := basis[d.form][n]
	// Columns first: t[i][u] is output row i of column u.
	var t [8][8]float32
	for i := range n {
		ai := &a[i]
		ti := &t[i]
		for v := 0; v <= rmax; v++ {
			w := ai[v]
			fv := f[8*v : 8*v+8 : 8*v+8]
			for u := 0; u <= cmax; u++ {
				ti[u] += w * fv[u]
			}
		}
	}
	for i := range n {
		row := dst[i*stride : i*stride+n]
		ti := &t[i]
		for j := range row {
			aj := &a[j]
			s := float32(128.5)
			for u := 0; u <= cmax; u++ {
				s += aj[u] * ti[u]
			}
			row[j] = clampByte(s)
		}
	}
}

func (d *decoder) checkExtreme(v int32) {
	if v > extremeCoef || v < -extremeCoef {
		d.extreme = true
	}
}

// clampByte rounds down a value already offset by one half.
func clampByte(s float32) uint8 {
	switch {
	case s <= 0:
		return 0
	case s >= 255:
		return 255
	}
	return uint8(s)
}
