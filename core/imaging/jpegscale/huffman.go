package jpegscale

import "encoding/binary"

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
	// stale: fast and step do not reflect the table yet (see prepare).
	stale bool
	// prefixCode: the code lengths satisfy Kraft's inequality, so no code
	// is a prefix of another and a code's own bits determine it.
	prefixCode bool
	// lut maps the next lutBits bits to the symbol (high byte) and 1 + the
	// code's length (low byte); 0 means the code is longer than lutBits.
	lut         [1 << lutBits]uint16
	vals        [maxNCodes]uint8
	minCodes    [maxCodeLength]int32
	maxCodes    [maxCodeLength]int32
	valsIndices [maxCodeLength]int32
	// fast decodes a symbol and the value bits after it in one look-up
	// of the next fastBits bits, when both fit: value<<16 | run<<8 | bits
	// used; or, in an AC table, when only the code fits: fastRaw |
	// size<<16 | run<<8 | code bits, the value's size bits to be read
	// after them; or fastEOB | 64<<8 | bits used for an end of block; or
	// 0 when the slow way must be taken. Entries are found by running the
	// slow way (look-up table, then bit by bit) on each pattern, so both
	// agree on every table, malformed ones included.
	fast *[1 << fastBits]int32
	// step moves through a block whose AC values are not wanted, one or
	// two symbols (with their values' bits) per look-up: adv<<8 | bits
	// used (up to 26), with fastEOB set when the step ends with an end of
	// block. adv is how far the step moves through the block, counting an
	// end of block as one more position, so that a step is valid exactly
	// when it ends at or before position 64: a coefficient may land on 63,
	// and an end of block may follow one on 62 at most. 0: take the slow
	// way.
	step *[1 << fastBits]int32
}

// build derives the look-up table and the per-length code ranges from
// the count of codes of each length (counts[i] codes of length i+1), with
// the symbols already in h.vals.
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
	// Kraft's inequality: the lengths leave every code a distinct prefix.
	var kraft int64
	for i, n := range counts {
		kraft += int64(n) << (maxCodeLength - 1 - i)
	}
	h.prefixCode = kraft <= 1<<maxCodeLength
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
	h.stale = true
}

// prepare builds the one-step tables of a table a scan is about to use,
// if a DHT segment changed it since they were built: building them costs
// more than decoding a small image, and files often define tables they
// never use. A table never defined gets tables of zeros, which send every
// look-up the slow way, to its error.
func (h *huffman) prepare(dc bool) {
	if !h.stale && h.fast != nil && (dc || h.step != nil) {
		return
	}
	h.stale = false
	// Allocated on first use: a decoder has eight tables, and most files
	// use four.
	if h.fast == nil {
		h.fast = new([1 << fastBits]int32)
	}
	h.buildFast(dc)
	if !dc {
		if h.step == nil {
			h.step = new([1 << fastBits]int32)
		}
		h.buildStep()
	}
}

// buildStep fills h.step. A step is one symbol whose code lies in the
// pattern's bits (its value's bits, which are only skipped, may lie
// past them), or two when the first symbol and its value, and the second
// symbol's code, all lie in them. The second code is then read from the
// pattern's remaining bits only, which determine it when the table is a
// prefix code; a malformed table (one that oversubscribes a length) gets
// single steps only, each decoded from all the bits as decode would.
func (h *huffman) buildStep() {
	single := func(p uint32) (adv, bits int32, codeLen uint, eob, ok bool) {
		l, sym, found := h.simulate(p)
		if !found {
			return 0, 0, 0, false, false
		}
		run, size := int32(sym>>4), int32(sym&0x0f)
		switch {
		case size != 0:
			return run + 1, int32(l) + size, l, false, true
		case run == 0:
			return 1, int32(l), l, true, true
		case run == 0x0f:
			return 16, int32(l), l, false, true
		}
		return 0, 0, 0, false, false // an end-of-band run: the slow way
	}
	for p := range h.step {
		h.step[p] = 0
		adv, bits, _, eob, ok := single(uint32(p))
		if !ok {
			continue
		}
		h.step[p] = adv<<8 | bits
		if eob {
			h.step[p] |= fastEOB
			continue
		}
		if !h.prefixCode || adv == 16 || bits >= fastBits {
			continue
		}
		p2 := uint32(p<<bits) & (1<<fastBits - 1)
		adv2, bits2, len2, eob2, ok := single(p2)
		if !ok || adv2 == 16 || int32(len2) > fastBits-bits {
			continue
		}
		h.step[p] = (adv+adv2)<<8 | (bits + bits2)
		if eob2 {
			h.step[p] |= fastEOB
		}
	}
}

const (
	fastBits = 11
	fastEOB  = 1 << 15
	fastRaw  = 1 << 7
)

// buildFast fills h.fast. A DC table's entries hold the difference's
// value (F.2.2.1); an AC table's the coefficient's, with its run.
func (h *huffman) buildFast(dc bool) {
	for p := range h.fast {
		h.fast[p] = 0
		l, sym, ok := h.simulate(uint32(p))
		if !ok {
			continue
		}
		size := uint(sym & 0x0f)
		if dc {
			size = uint(sym)
			if size > 16 {
				continue
			}
		} else if size == 0 {
			if sym == 0 {
				// A run past the block's end, so that the common path
				// needs no test for it.
				h.fast[p] = fastEOB | 64<<8 | int32(l)
			}
			continue
		}
		if l+size > fastBits {
			if !dc {
				// The code fits but not its value: the decoder reads
				// the value's bits itself.
				h.fast[p] = fastRaw | int32(size)<<16 | int32(sym>>4)<<8 | int32(l)
			}
			continue
		}
		x := int32(p>>(fastBits-l-size)) & (1<<size - 1)
		if size > 0 && x < 1<<(size-1) {
			x += -1<<size + 1
		}
		run := int32(sym >> 4)
		if dc {
			run = 0
		}
		h.fast[p] = x<<16 | run<<8 | int32(l+size)
	}
}

// simulate decodes the fastBits-bit pattern p as decode would with at
// least that many bits available: the code's length and symbol, or !ok
// when the code is longer or invalid.
func (h *huffman) simulate(p uint32) (l uint, sym uint8, ok bool) {
	if v := h.lut[p>>(fastBits-lutBits)]; v != 0 {
		return uint(v&0xff) - 1, uint8(v >> 8), true
	}
	if h.nCodes == 0 {
		return 0, 0, false
	}
	for i := range fastBits {
		l := uint(i + 1)
		code := int32(p >> (fastBits - l))
		if code <= h.maxCodes[i] {
			return l, h.vals[h.valsIndices[i]+code-h.minCodes[i]], true
		}
	}
	return 0, 0, false
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
	if r.pos+8 <= len(r.data) {
		// As many whole bytes as fit, at once, when none of the next eight
		// is 0xff (the common case).
		w := binary.BigEndian.Uint64(r.data[r.pos:])
		if hasFF(w) == 0 {
			k := (64 - r.n) / 8
			r.acc |= w >> (64 - 8*k) << (64 - r.n - 8*k)
			r.n += 8 * k
			r.pos += int(k)
			return
		}
	}
	for r.n <= 56 {
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
func hasFF(w uint64) uint64 {
	v := ^w
	return (v - 0x0101010101010101) & ^v & 0x8080808080808080
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
