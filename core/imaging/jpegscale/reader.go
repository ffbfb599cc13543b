package jpegscale

import (
	"errors"
	"fmt"
	"image"
)

// ErrUnsupported means the image is valid as far as this package can
// tell but uses a colour model or sampling it leaves to image/jpeg: CMYK,
// YCCK, RGB, or chroma sampled 4:4:0, 4:1:1 or 4:1:0. Callers decode such
// images at full size instead.
var ErrUnsupported = errors.New("jpegscale: left to the full decoder")

// ErrTooLarge means the frame header declares more pixels than the limit
// passed to [Decode]; nothing the size of the image was allocated.
var ErrTooLarge = errors.New("jpegscale: image over the pixel limit")

// FormatError reports input that is not a JPEG image this package (or
// image/jpeg) can decode: damaged, truncated, or using a coding mode
// neither implements (arithmetic coding, 12-bit samples, lossless).
type FormatError string

func (e FormatError) Error() string { return "jpegscale: " + string(e) }

func errFormat(s string) error { return FormatError(s) }

var errShortData = FormatError("short Huffman data")

const (
	sof0Marker  = 0xc0
	sof1Marker  = 0xc1
	sof2Marker  = 0xc2
	dhtMarker   = 0xc4
	rst0Marker  = 0xd0
	rst7Marker  = 0xd7
	soiMarker   = 0xd8
	eoiMarker   = 0xd9
	sosMarker   = 0xda
	dqtMarker   = 0xdb
	driMarker   = 0xdd
	comMarker   = 0xfe
	app0Marker  = 0xe0
	app14Marker = 0xee
	app15Marker = 0xef
)

const (
	maxTq         = 3
	maxTh         = 3
	maxComponents = 4
	blockSize     = 64
)

// unzig maps the zig-zag order of coefficients to their natural order
// (row*8 + column).
var unzig = [blockSize]uint8{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
}

type component struct {
	h, v int   // sampling factors
	id   uint8 // component identifier
	tq   uint8 // quantisation table selector
}

// decoder holds one decode's state. The marker loop follows image/jpeg's
// reader.go rule for rule, so that the two accept and refuse the same
// files.
type decoder struct {
	data      []byte
	pos       int // next byte of data the marker loop reads
	n         int // output pixels per block side: 8, 4, 2 or 1
	maxPixels int64

	width, height int
	nComp         int
	comp          [maxComponents]component
	baseline      bool
	progressive   bool
	jfif          bool
	adobeValid    bool
	adobeXform    uint8
	ri            int    // restart interval, in MCUs
	eobRun        uint16 // End-of-Band run (G.1.2.2); kept across scans as image/jpeg does
	huff          [2][maxTh + 1]huffman
	quant         [maxTq + 1][blockSize]int32 // zig-zag order

	mxx, myy int // MCUs across and down
	gray     *image.Gray
	ycc      *image.YCbCr
	planes   [3]plane
	// coefs holds each component's coefficients between progressive scans:
	// 64 per block in natural order, or only the DC when dcOnly.
	coefs [3][]int16
	// nonZero has a bit per AC coefficient of each block (zig-zag
	// order), set once the coefficient is non-zero: refinement scans
	// visit only those, rather than test all 63 positions per block.
	nonZero [3][]uint64
	dcOnly  bool
	// extreme is set when a coefficient went beyond what an 8-bit encoder
	// writes (16 bits quantised, or 4096 dequantised): image/jpeg's
	// integer transform then overflows, and tests stop comparing pixels.
	extreme bool
	// form is the reduced transform (formAverage but in tests).
	form form
	// skippedToEnd: a skipped scan ran to the end of the data, which then
	// ends the image.
	skippedToEnd bool
	// blockRestarts: a single-component scan of a component with more
	// than one block per MCU has restart markers, which image/jpeg
	// counts differently (see decodeScan).
	blockRestarts bool
}

// plane is where a component's reduced blocks are written.
type plane struct {
	pix    []uint8
	stride int
}

// Decode decodes the JPEG image in data at 1/denom of its size in each
// direction (denom 1, 2, 4 or 8), rounding partial blocks up: the result
// is ceil(w/denom) x ceil(h/denom), an *image.YCbCr (4:4:4, 4:2:2 or
// 4:2:0) or an *image.Gray, with its origin at (0, 0). Each output pixel
// is the average of the full decode's pixels it covers.
//
// A frame declaring more than maxPixels pixels is [ErrTooLarge] before
// anything its size is allocated. Images this package leaves to
// image/jpeg are [ErrUnsupported]; anything else that cannot be decoded
// is a [FormatError]. A bug that panics on some input is returned as an
// error, never propagated.
func Decode(data []byte, denom int, maxPixels int64) (img image.Image, err error) {
	var n int
	switch denom {
	case 1, 2, 4, 8:
		n = 8 / denom
	default:
		return nil, fmt.Errorf("jpegscale: scale 1/%d, want 1/1, 1/2, 1/4 or 1/8", denom)
	}
	d := &decoder{data: data, n: n, maxPixels: maxPixels}
	return d.decodeSafely()
}

func (d *decoder) decodeSafely() (img image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, FormatError(fmt.Sprintf("internal error on this input: %v", p))
		}
	}()
	return d.decode()
}

// readFull returns the next n bytes of the marker segment being read.
func (d *decoder) readFull(n int) ([]byte, error) {
	if n > len(d.data)-d.pos {
		d.pos = len(d.data)
		return nil, errFormat("data ends early")
	}
	b := d.data[d.pos : d.pos+n]
	d.pos += n
	return b, nil
}

func (d *decoder) readByte() (byte, error) {
	b, err := d.readFull(1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

func (d *decoder) decode() (image.Image, error) {
	soi, err := d.readFull(2)
	if err != nil {
		return nil, err
	}
	if soi[0] != 0xff || soi[1] != soiMarker {
		return nil, errFormat("missing SOI marker")
	}
	for {
		m, err := d.readFull(2)
		if err != nil {
			if d.skippedToEnd {
				break
			}
			return nil, err
		}
		b0, b1 := m[0], m[1]
		for b0 != 0xff {
			// Bytes between segments are ignored, as libjpeg and
			// image/jpeg do.
			b0 = b1
			if b1, err = d.readByte(); err != nil {
				return nil, err
			}
		}
		marker := b1
		if marker == 0 {
			continue // "\xff\x00" between segments is extraneous data too
		}
		for marker == 0xff { // fill bytes (B.1.1.2)
			if marker, err = d.readByte(); err != nil {
				return nil, err
			}
		}
		if marker == eoiMarker {
			break
		}
		if rst0Marker <= marker && marker <= rst7Marker {
			continue // a stray restart marker after the last scan
		}
		l, err := d.readFull(2)
		if err != nil {
			return nil, err
		}
		n := int(l[0])<<8 + int(l[1]) - 2
		if n < 0 {
			return nil, errFormat("short segment length")
		}
		switch marker {
		case sof0Marker, sof1Marker, sof2Marker:
			d.baseline = marker == sof0Marker
			d.progressive = marker == sof2Marker
			err = d.processSOF(n)
		case dhtMarker:
			err = d.processDHT(n)
		case dqtMarker:
			err = d.processDQT(n)
		case sosMarker:
			err = d.processSOS(n)
		case driMarker:
			err = d.processDRI(n)
		case app0Marker:
			err = d.processApp(n, 5, func(p []byte) { d.jfif = string(p) == "JFIF\x00" })
		case app14Marker:
			err = d.processApp(n, 12, func(p []byte) {
				if string(p[:5]) == "Adobe" {
					d.adobeValid, d.adobeXform = true, p[11]
				}
			})
		default:
			switch {
			case app0Marker <= marker && marker <= app15Marker || marker == comMarker:
				_, err = d.readFull(n)
			case marker < 0xc0:
				err = errFormat("unknown marker")
			default:
				err = errFormat(fmt.Sprintf("unsupported marker 0x%02x", marker))
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if d.gray == nil && d.ycc == nil {
		return nil, errFormat("missing SOS marker")
	}
	if d.nComp == 3 && d.isRGB() {
		return nil, ErrUnsupported
	}
	if d.progressive {
		d.reconstructProgressive()
	}
	return d.result(), nil
}

// processApp reads an APPn segment whose first want bytes say what it is.
func (d *decoder) processApp(n, want int, look func([]byte)) error {
	if n < want {
		_, err := d.readFull(n)
		return err
	}
	p, err := d.readFull(n)
	if err != nil {
		return err
	}
	look(p[:want])
	return nil
}

// processSOF reads the frame header (B.2.2).
func (d *decoder) processSOF(n int) error {
	if d.nComp != 0 {
		return errFormat("multiple SOF markers")
	}
	switch n {
	case 6 + 3*1, 6 + 3*3, 6 + 3*4:
		d.nComp = (n - 6) / 3
	default:
		return errFormat("unsupported number of components")
	}
	p, err := d.readFull(n)
	if err != nil {
		return err
	}
	if p[0] != 8 {
		return errFormat("unsupported precision")
	}
	d.height = int(p[1])<<8 + int(p[2])
	d.width = int(p[3])<<8 + int(p[4])
	if int(p[5]) != d.nComp {
		return errFormat("SOF has wrong length")
	}
	for i := range d.nComp {
		c := &d.comp[i]
		c.id = p[6+3*i]
		for j := range i {
			if c.id == d.comp[j].id {
				return errFormat("repeated component identifier")
			}
		}
		c.tq = p[8+3*i]
		if c.tq > maxTq {
			return errFormat("bad Tq value")
		}
		hv := p[7+3*i]
		h, v := int(hv>>4), int(hv&0x0f)
		if h < 1 || 4 < h || v < 1 || 4 < v {
			return errFormat("luma/chroma subsampling ratio")
		}
		if h == 3 || v == 3 {
			return errFormat("unsupported subsampling ratio")
		}
		switch d.nComp {
		case 1:
			// A single component is non-interleaved: one block per MCU,
			// whatever its sampling factors say (A.2).
			h, v = 1, 1
		case 3:
			switch {
			case i == 0 && v == 4,
				i == 1 && (d.comp[0].h%h != 0 || d.comp[0].v%v != 0),
				i == 2 && (d.comp[1].h != h || d.comp[1].v != v):
				return errFormat("unsupported subsampling ratio")
			}
		case 4:
			switch {
			case i == 0 && hv != 0x11 && hv != 0x22,
				(i == 1 || i == 2) && hv != 0x11,
				i == 3 && (d.comp[0].h != h || d.comp[0].v != v):
				return errFormat("unsupported subsampling ratio")
			}
		}
		c.h, c.v = h, v
	}
	if d.width > 0 && d.height > 0 && int64(d.width)*int64(d.height) > d.maxPixels {
		return fmt.Errorf("%w: %dx%d, limit %d", ErrTooLarge, d.width, d.height, d.maxPixels)
	}
	return nil
}

// processDQT reads quantisation tables (B.2.4.1).
func (d *decoder) processDQT(n int) error {
loop:
	for n > 0 {
		n--
		x, err := d.readByte()
		if err != nil {
			return err
		}
		tq := x & 0x0f
		if tq > maxTq {
			return errFormat("bad Tq value")
		}
		switch x >> 4 {
		default:
			return errFormat("bad Pq value")
		case 0:
			if n < blockSize {
				break loop
			}
			n -= blockSize
			p, err := d.readFull(blockSize)
			if err != nil {
				return err
			}
			for i := range d.quant[tq] {
				d.quant[tq][i] = int32(p[i])
			}
		case 1:
			if n < 2*blockSize {
				break loop
			}
			n -= 2 * blockSize
			p, err := d.readFull(2 * blockSize)
			if err != nil {
				return err
			}
			for i := range d.quant[tq] {
				d.quant[tq][i] = int32(p[2*i])<<8 | int32(p[2*i+1])
			}
		}
	}
	if n != 0 {
		return errFormat("DQT has wrong length")
	}
	return nil
}

// processDHT reads Huffman tables (B.2.4.2).
func (d *decoder) processDHT(n int) error {
	for n > 0 {
		if n < 17 {
			return errFormat("DHT has wrong length")
		}
		p, err := d.readFull(17)
		if err != nil {
			return err
		}
		tc, th := p[0]>>4, p[0]&0x0f
		if tc > 1 {
			return errFormat("bad Tc value")
		}
		if th > maxTh || (d.baseline && th > 1) {
			return errFormat("bad Th value")
		}
		h := &d.huff[tc][th]
		var counts [maxCodeLength]int32
		h.nCodes = 0
		for i := range counts {
			counts[i] = int32(p[i+1])
			h.nCodes += counts[i]
		}
		if h.nCodes == 0 {
			return errFormat("Huffman table has zero length")
		}
		if h.nCodes > maxNCodes {
			return errFormat("Huffman table has excessive length")
		}
		n -= int(h.nCodes) + 17
		if n < 0 {
			return errFormat("DHT has wrong length")
		}
		vals, err := d.readFull(int(h.nCodes))
		if err != nil {
			return err
		}
		copy(h.vals[:], vals)
		h.build(&counts)
	}
	return nil
}

// processDRI reads the restart interval (B.2.4.4).
func (d *decoder) processDRI(n int) error {
	if n != 2 {
		return errFormat("DRI has wrong length")
	}
	p, err := d.readFull(2)
	if err != nil {
		return err
	}
	d.ri = int(p[0])<<8 + int(p[1])
	return nil
}

// isRGB says whether a 3-component image stores RGB rather than YCbCr, by
// the markers image/jpeg reads it from.
func (d *decoder) isRGB() bool {
	if d.jfif {
		return false
	}
	if d.adobeValid && d.adobeXform == 0 {
		return true
	}
	return d.comp[0].id == 'R' && d.comp[1].id == 'G' && d.comp[2].id == 'B'
}
