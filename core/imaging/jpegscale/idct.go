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

// matrix is the n x 8 matrix A of a form at one scale, for n output
// pixels per block side: output pixel i of a 1-D block is the sum over u
// of m[i][u] * F[u], so a 2-D block is A F A^T. t is A transposed.
type matrix struct {
	m [8][8]float32
	t [8][8]float32
}

// basis[f][n] is form f's matrix for n pixels per block side.
var basis = func() (b [2][9]matrix) {
	for _, n := range []int{1, 2, 4, 8} {
		s := 8 / n
		avg, low := &b[formAverage][n], &b[formLowFrequency][n]
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
				avg.m[i][u] = float32(cu * sum / float64(s))
				if u < n {
					low.m[i][u] = float32(cu * math.Cos(float64((2*i+1)*u)*math.Pi/float64(2*n)))
				}
				avg.t[u][i], low.t[u][i] = avg.m[i][u], low.m[i][u]
			}
		}
	}
	return b
}()

// extremeCoef bounds the dequantised coefficients of real 8-bit images
// (at most 2048 and a half quantisation step in magnitude): past it, see
// decoder.extreme.
const extremeCoef = 1 << 12

// reconstruct dequantises blk (quantised, natural order; zero but at the
// zig-zag indices nz, the DC's first) with q (zig-zag order), transforms
// it to n x n pixels and writes them to dst, rows stride apart.
func (d *decoder) reconstruct(blk *[blockSize]int32, q *[blockSize]int32, nz []uint8, dst []uint8, stride int) {
	n := d.n
	if len(nz) == 1 {
		// Only the DC: every pixel is the block's mean, DC/8.
		v := blk[0] * q[0]
		d.checkExtreme(v)
		p := dcPixel(v)
		for i := range n {
			row := dst[i*stride : i*stride+n]
			for j := range row {
				row[j] = p
			}
		}
		return
	}
	// Columns first, from the non-zero coefficients only: t[i][u] is
	// output row i of column u. Rows of coefficients are most often
	// sparse, so this costs n multiply-adds per coefficient, not per
	// position.
	a := &basis[d.form][n]
	var t [8][8]float32
	cmax := 0
	for _, z := range nz {
		k := unzig[z]
		v := blk[k] * q[z]
		d.checkExtreme(v)
		fv := float32(v)
		row, col := int(k>>3), int(k&7)
		cmax = max(cmax, col)
		w := &a.t[row]
		for i := range n {
			t[i][col] += fv * w[i]
		}
	}
	for i := range n {
		out := dst[i*stride : i*stride+n]
		ti := t[i][:cmax+1]
		for j := range out {
			aj := a.m[j][:cmax+1]
			s := float32(128.5)
			for u, tv := range ti {
				s += aj[u] * tv
			}
			out[j] = clampByte(s)
		}
	}
}

func (d *decoder) checkExtreme(v int32) {
	if v > extremeCoef || v < -extremeCoef {
		d.extreme = true
	}
}

// dcPixel is the mean of a block whose dequantised DC is v: v/8 and the
// level shift, rounded to nearest and clamped, in integers.
func dcPixel(v int32) uint8 {
	return uint8(min(max((int64(v)+1028)>>3, 0), 255))
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
