package jpegscale

// Huffman tables (T.81 annex C) and the entropy-coded bit stream (F.1.2.3,
// F.2.2). The look-up table and the bit-by-bit slow path are built the
// way image/jpeg builds them, including for malformed tables (codes that
// oversubscribe a length), so that both decoders read the same symbols
// from the same bits.

const (
	maxCodeLength = 16
	maxNCodes     = 256
	lutBits       = 8
)

// huffman is one decoding table.
type huffman struct {
	nCodes int32
	// lut maps the next lutBits bits to the symbol (high byte) and 1 + the
	// code's length (low byte); 0 means the code is longer than lutBits.
	lut         [1 << lutBits]uint16
	vals        [maxNCodes]uint8
	minCodes    [maxCodeLength]int32
	maxCodes    [maxCodeLength]int32
	valsIndices [maxCodeLength]int32
}

// build derives the look-up table and the per-length code ranges from the
// count of codes of each length (counts[i] codes of length i+1), with the
// symbols already in h.vals.
func (h *huffman) build(counts *[maxCodeLength]int32) {
	clear(h.lut[:])
	var x, code uint32
	for i := uint32(0); i < lutBits; i++ {
		code <<= 1
		for range counts[i] {
			base := uint8(code << (7 - i))
			v := uint16(h.vals[x])<<8 | uint16(2+i)
			for k := uint8(0); k < 1<<(7-i); k++ {
				h.lut[base|k] = v
			}
			code++
			x++
		}
	}
	var c, index int32
	for i, n := range counts {
		if n == 0 {
			h.minCodes[i], h.maxCodes[i], h.valsIndices[i] = -1, -1, -1
		} else {
			h.minCodes[i], h.maxCodes[i], h.valsIndices[i] = c, c+n-1, index
			c += n
			index += n
		}
		c <<= 1
	}
}

// bitReader reads the entropy-coded data of one scan from data[pos:]. It
// unstuffs 0xff 0x00 and stops at any other 0xff pair (a marker, or fill
// bytes before one): bits past that point do not exist, and needing one is
// an error, as it is for image/jpeg. Errors are sticky in err and checked
// once per block; until then reads past the end return zeros.
type bitReader struct {
	data []byte
	pos  int
	acc  uint64 // unread bits, most significant first
	n    uint   // how many bits of acc are unread
	err  error
}

// fill tops acc up to at least 57 bits, or as far as the segment goes.
func (r *bitReader) fill() {
	for r.n <= 56 {
		if r.pos+4 <= len(r.data) && r.n <= 24 {
			// Four bytes at once when none is 0xff (the common case).
			w := uint32(r.data[r.pos])<<24 | uint32(r.data[r.pos+1])<<16 | uint32(r.data[r.pos+2])<<8 | uint32(r.data[r.pos+3])
			if hasFF(w) == 0 {
				r.acc |= uint64(w) << (32 - r.n)
				r.n += 32
				r.pos += 4
				continue
			}
		}
		if r.pos >= len(r.data) {
			return
		}
		b := r.data[r.pos]
		if b == 0xff {
			if r.pos+1 >= len(r.data) || r.data[r.pos+1] != 0 {
				return
			}
			r.pos += 2
		} else {
			r.pos++
		}
		r.acc |= uint64(b) << (56 - r.n)
		r.n += 8
	}
}

// hasFF is non-zero when a byte of w is 0xff.
func hasFF(w uint32) uint32 {
	v := ^w
	return (v - 0x01010101) & ^v & 0x80808080
}

// reset drops the buffered bits, at a restart marker.
func (r *bitReader) reset(pos int) {
	r.pos, r.acc, r.n = pos, 0, 0
}

func (r *bitReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.acc, r.n = 0, 0
}

// decode returns the next symbol coded with h.
func (r *bitReader) decode(h *huffman) uint8 {
	if r.n < 16 {
		r.fill()
	}
	if r.n >= lutBits {
		if v := h.lut[r.acc>>(64-lutBits)]; v != 0 {
			l := uint(v&0xff) - 1
			r.acc <<= l
			r.n -= l
			return uint8(v >> 8)
		}
	}
	return r.decodeSlow(h)
}

// decodeSlow finds the code bit by bit: codes longer than the look-up
// table, and any code when fewer bits than the table's width are left.
func (r *bitReader) decodeSlow(h *huffman) uint8 {
	if h.nCodes == 0 {
		r.fail(errFormat("uninitialized Huffman table"))
		return 0
	}
	for i := range maxCodeLength {
		l := uint(i + 1)
		if l > r.n {
			r.fail(errShortData)
			return 0
		}
		code := int32(r.acc >> (64 - l))
		if code <= h.maxCodes[i] {
			r.acc <<= l
			r.n -= l
			return h.vals[h.valsIndices[i]+code-h.minCodes[i]]
		}
	}
	r.fail(errFormat("bad Huffman code"))
	return 0
}

// bits returns the next t bits (0 <= t <= 16) as an unsigned number.
func (r *bitReader) bits(t uint) uint32 {
	if t == 0 {
		return 0
	}
	if r.n < t {
		r.fill()
		if r.n < t {
			r.fail(errShortData)
			return 0
		}
	}
	x := uint32(r.acc >> (64 - t))
	r.acc <<= t
	r.n -= t
	return x
}

// receiveExtend reads a t-bit magnitude and sign (F.2.2.1).
func (r *bitReader) receiveExtend(t uint) int32 {
	x := int32(r.bits(t))
	if t > 0 && x < 1<<(t-1) {
		x += -1<<t + 1
	}
	return x
}

// bit reads one bit.
func (r *bitReader) bit() bool { return r.bits(1) != 0 }
