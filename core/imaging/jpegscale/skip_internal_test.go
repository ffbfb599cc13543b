package jpegscale

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// testTable builds an AC table from code counts per length and symbols.
func testTable(counts [maxCodeLength]int32, vals []uint8) *huffman {
	h := &huffman{}
	for _, n := range counts {
		h.nCodes += n
	}
	copy(h.vals[:], vals)
	h.build(&counts)
	h.prepare(false)
	return h
}

// TestSkipACMatchesCarefulDecode: skipAC's one- and two-symbol steps move
// through random blocks exactly as reading one symbol at a time does
// (same bits consumed, same end-of-band run, same error), for a
// well-formed table and for malformed ones whose codes oversubscribe a
// length, where image/jpeg's look-up table and its bit-by-bit search
// disagree and only decoding from all the bits is right.
func TestSkipACMatchesCarefulDecode(t *testing.T) {
	// The standard luminance AC table (K.3.3.2) has 162 symbols.
	std := [maxCodeLength]int32{0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d}
	var stdVals []uint8
	for run := range 16 {
		for size := 1; size <= 10; size++ {
			stdVals = append(stdVals, uint8(run<<4|size))
		}
	}
	stdVals = append(stdVals, 0x00, 0xf0)
	tables := map[string]*huffman{
		"standard lengths":  testTable(std, stdVals),
		"three 1-bit codes": testTable([maxCodeLength]int32{3, 2, 4}, []uint8{0x01, 0x00, 0x12, 0xf0, 0x23, 0x05, 0x31, 0x11, 0x0a}),
		"overfull 2 bits":   testTable([maxCodeLength]int32{0, 5, 0, 2}, []uint8{0x02, 0x11, 0x00, 0x21, 0x0f, 0xf0, 0x13}),
		"eob runs":          testTable([maxCodeLength]int32{0, 3, 2}, []uint8{0x01, 0x10, 0x20, 0x00, 0x31}),
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for name, h := range tables {
		for range 2000 {
			data := make([]byte, 48)
			for i := range data {
				data[i] = uint8(rng.IntN(255)) // no 0xff: no markers
			}
			d1, d2 := &decoder{}, &decoder{}
			r1, r2 := &bitReader{data: data}, &bitReader{data: data}
			for block := 0; block < 8 && r1.err == nil; block++ {
				d1.skipAC(r1, h)
				var scratch [blockSize]int16
				var mask uint64
				d2.decodeACBand(r2, &scratch, &mask, h, 1, blockSize-1, 0)
				require.Equal(t, r2.err, r1.err, "%s: error", name)
				require.Equal(t, d2.eobRun, d1.eobRun, "%s: end-of-band run", name)
				if r1.err == nil {
					require.Equal(t, r2.pos*8-int(r2.n), r1.pos*8-int(r1.n), "%s: bits read in block %d", name, block)
				}
				d1.eobRun, d2.eobRun = 0, 0
			}
		}
	}
}
