package jpegscale

import (
	"bytes"
	"image"
)

// scanComp is one component of a scan.
type scanComp struct {
	ci     int // index into decoder.comp
	td, ta uint8
}

// scanParams are a scan's spectral selection and successive
// approximation: coefficients zs..ze in zig-zag order, bits from al up
// (ah != 0 refines by one bit).
type scanParams struct {
	zs, ze int32
	ah, al uint32
}

// checkModel refuses what this package leaves to image/jpeg once the
// frame header is known.
func (d *decoder) checkModel() error {
	switch d.nComp {
	case 1:
		return nil
	case 4:
		return ErrUnsupported
	}
	switch d.ratio() {
	case image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420:
	default:
		return ErrUnsupported
	}
	if d.isRGB() {
		return ErrUnsupported
	}
	return nil
}

// ratio is the chroma subsampling of a 3-component image, or -1 for one
// this package does not decode.
func (d *decoder) ratio() image.YCbCrSubsampleRatio {
	switch (d.comp[0].h/d.comp[1].h)<<4 | d.comp[0].v/d.comp[1].v {
	case 0x11:
		return image.YCbCrSubsampleRatio444
	case 0x21:
		return image.YCbCrSubsampleRatio422
	case 0x22:
		return image.YCbCrSubsampleRatio420
	}
	return -1
}

// makeImg allocates the reduced planes, padded to whole MCUs like
// image/jpeg's: n x n pixels per block.
func (d *decoder) makeImg() {
	n := d.n
	if d.nComp == 1 {
		m := image.NewGray(image.Rect(0, 0, n*d.mxx, n*d.myy))
		d.gray = m
		d.planes[0] = plane{m.Pix, m.Stride}
		return
	}
	h0, v0 := d.comp[0].h, d.comp[0].v
	m := image.NewYCbCr(image.Rect(0, 0, n*h0*d.mxx, n*v0*d.myy), d.ratio())
	d.ycc = m
	d.planes = [3]plane{{m.Y, m.YStride}, {m.Cb, m.CStride}, {m.Cr, m.CStride}}
}

// result crops the padded planes to the reduced size.
func (d *decoder) result() image.Image {
	r := image.Rect(0, 0, (d.width*d.n+7)/8, (d.height*d.n+7)/8)
	if d.gray != nil {
		return d.gray.SubImage(r)
	}
	return d.ycc.SubImage(r)
}

// processSOS reads a scan header (B.2.3) and decodes the scan.
func (d *decoder) processSOS(n int) error {
	if d.nComp == 0 {
		return errFormat("missing SOF marker")
	}
	if n < 6 || 4+2*d.nComp < n || n%2 != 0 {
		return errFormat("SOS has wrong length")
	}
	p, err := d.readFull(n)
	if err != nil {
		return err
	}
	nComp := int(p[0])
	if n != 4+2*nComp {
		return errFormat("SOS length inconsistent with number of components")
	}
	var scan [maxComponents]scanComp
	totalHV := 0
	for i := range nComp {
		cs := p[1+2*i]
		ci := -1
		for j, c := range d.comp[:d.nComp] {
			if cs == c.id {
				ci = j
			}
		}
		if ci < 0 {
			return errFormat("unknown component selector")
		}
		scan[i].ci = ci
		for j := range i {
			if scan[i].ci == scan[j].ci {
				return errFormat("repeated component selector")
			}
		}
		totalHV += d.comp[ci].h * d.comp[ci].v
		scan[i].td, scan[i].ta = p[2+2*i]>>4, p[2+2*i]&0x0f
		if t := scan[i].td; t > maxTh || (d.baseline && t > 1) {
			return errFormat("bad Td value")
		}
		if t := scan[i].ta; t > maxTh || (d.baseline && t > 1) {
			return errFormat("bad Ta value")
		}
	}
	if d.nComp > 1 && totalHV > 10 {
		return errFormat("total sampling factors too large")
	}
	sp := scanParams{zs: 0, ze: blockSize - 1}
	if d.progressive {
		sp.zs, sp.ze = int32(p[1+2*nComp]), int32(p[2+2*nComp])
		sp.ah, sp.al = uint32(p[3+2*nComp]>>4), uint32(p[3+2*nComp]&0x0f)
		if (sp.zs == 0 && sp.ze != 0) || sp.zs > sp.ze || blockSize <= sp.ze {
			return errFormat("bad spectral selection bounds")
		}
		if sp.zs != 0 && nComp != 1 {
			return errFormat("progressive AC coefficients for more than one component")
		}
		if sp.ah != 0 && sp.ah != sp.al+1 {
			return errFormat("bad successive approximation values")
		}
	}
	if err := d.checkModel(); err != nil {
		return err
	}
	h0, v0 := d.comp[0].h, d.comp[0].v
	d.mxx = (d.width + 8*h0 - 1) / (8 * h0)
	d.myy = (d.height + 8*v0 - 1) / (8 * v0)
	if d.gray == nil && d.ycc == nil {
		d.makeImg()
		d.dcOnly = d.progressive && d.n == 1
	}
	if d.progressive {
		for _, sc := range scan[:nComp] {
			if d.coefs[sc.ci] == nil {
				blocks := d.mxx * d.myy * d.comp[sc.ci].h * d.comp[sc.ci].v
				if d.dcOnly {
					d.coefs[sc.ci] = make([]int16, blocks)
				} else {
					d.coefs[sc.ci] = make([]int16, blocks*blockSize)
					d.nonZero[sc.ci] = make([]uint64, blocks)
				}
			}
		}
		if d.dcOnly && sp.zs != 0 {
			d.skipScan()
			return nil
		}
	}
	for _, sc := range scan[:nComp] {
		d.huff[0][sc.td].prepare(true)
		d.huff[1][sc.ta].prepare(false)
	}
	return d.decodeScan(scan[:nComp], sp)
}

// skipScan moves past a scan's entropy-coded data unread: the next 0xff
// that is not stuffing (0xff 0x00) nor a restart marker starts the next
// segment. Data that ends first ends the image: a thumbnail at 1/8 has
// what it needs once the DC scans are read.
func (d *decoder) skipScan() {
	for i := d.pos; ; {
		j := bytes.IndexByte(d.data[i:], 0xff)
		if j < 0 || i+j+1 >= len(d.data) {
			d.pos, d.skippedToEnd = len(d.data), true
			return
		}
		i += j
		if m := d.data[i+1]; m != 0 && (m < rst0Marker || m > rst7Marker) {
			d.pos = i
			return
		}
		i += 2
	}
}

// decodeScan decodes the blocks of one scan in their coded order: an
// interleaved scan visits each MCU's blocks, a single-component scan the
// component's blocks row by row, leaving out those wholly outside the
// image.
func (d *decoder) decodeScan(scan []scanComp, sp scanParams) error {
	s := scanState{r: bitReader{data: d.data, pos: d.pos}, expectedRST: rst0Marker}
	if len(scan) == 1 {
		// A non-interleaved scan's MCU is one block (A.2), so the restart
		// interval counts blocks. image/jpeg counts groups of h x v blocks
		// instead, and so refuses such files when h x v > 1.
		sc := scan[0]
		c := &d.comp[sc.ci]
		bw := min(d.mxx*c.h, (d.width+7)/8)
		bh := min(d.myy*c.v, (d.height+7)/8)
		if d.ri > 0 && c.h*c.v > 1 {
			d.blockRestarts = true
		}
		for by := range bh {
			for bx := range bw {
				if err := d.decodeBlock(&s.r, &s.blk, sc, sp, &s.dc[sc.ci], bx, by); err != nil {
					return err
				}
				if err := d.nextUnit(&s, bw*bh); err != nil {
					return err
				}
			}
		}
		d.pos = s.r.pos
		return nil
	}
	if !d.progressive {
		return d.decodeSequentialScan(&s, scan)
	}
	for my := range d.myy {
		for mx := range d.mxx {
			for _, sc := range scan {
				c := &d.comp[sc.ci]
				for j := range c.h * c.v {
					bx, by := c.h*mx+j%c.h, c.v*my+j/c.h
					if err := d.decodeBlock(&s.r, &s.blk, sc, sp, &s.dc[sc.ci], bx, by); err != nil {
						return err
					}
				}
			}
			if err := d.nextUnit(&s, d.mxx*d.myy); err != nil {
				return err
			}
		}
	}
	d.pos = s.r.pos
	return nil
}

// scanState is what a scan carries from one MCU to the next.
type scanState struct {
	r           bitReader
	blk         [blockSize]int32
	nz          [blockSize]uint8 // zig-zag indices of blk's coefficients
	dc          [maxComponents]int32
	units       int // MCUs decoded
	expectedRST uint8
}

// nextUnit counts an MCU decoded and, at the end of a restart interval
// that is not the scan's last, reads the restart marker and resets the
// predictions (F.2.1.3.1, G.1.2.2).
func (d *decoder) nextUnit(s *scanState, total int) error {
	s.units++
	if d.ri == 0 || s.units%d.ri != 0 || s.units >= total {
		return nil
	}
	pos, err := findRST(d.data, s.r.pos, s.expectedRST)
	if err != nil {
		return err
	}
	s.expectedRST++
	if s.expectedRST > rst7Marker {
		s.expectedRST = rst0Marker
	}
	s.r.reset(pos)
	s.dc = [maxComponents]int32{}
	d.eobRun = 0
	return nil
}

// findRST returns the position after the restart marker want, searching
// from pos as image/jpeg does: other bytes are skipped, but a marker that
// is neither stuffing, fill, nor want is an error.
func findRST(data []byte, pos int, want uint8) (int, error) {
	for ; pos+1 < len(data); pos++ {
		if data[pos] != 0xff {
			continue
		}
		switch data[pos+1] {
		case want:
			return pos + 2, nil
		case 0xff:
			// fill byte: look at the next pair from the second 0xff
		case 0x00:
			pos++
		default:
			return 0, errFormat("bad RST marker")
		}
	}
	return 0, errFormat("data ends early")
}

// decodeBlock decodes one block of a scan and either writes its reduced
// pixels (sequential) or updates its stored coefficients (progressive).
func (d *decoder) decodeBlock(r *bitReader, blk *[blockSize]int32, sc scanComp, sp scanParams, dc *int32, bx, by int) error {
	c := &d.comp[sc.ci]
	if !d.progressive {
		// blk is all zeros here: it starts so, and is cleared after use.
		var nzs [blockSize]uint8
		count := d.decodeSequential(r, blk, &nzs, &d.huff[0][sc.td], &d.huff[1][sc.ta], dc, d.n > 1)
		if r.err != nil {
			return r.err
		}
		pl := &d.planes[sc.ci]
		n := d.n
		nz := nzs[:count]
		d.reconstruct(blk, &d.quant[c.tq], nz, pl.pix[n*(by*pl.stride+bx):], pl.stride)
		for _, z := range nz {
			blk[unzig[z]] = 0
		}
		return nil
	}
	idx := by*d.mxx*c.h + bx
	if d.dcOnly {
		dcs := d.coefs[sc.ci][idx : idx+1]
		if sp.ah != 0 {
			if r.bit() {
				dcs[0] = d.store(int32(dcs[0]) | 1<<sp.al)
			}
		} else {
			dcs[0] = d.store(d.decodeDC(r, &d.huff[0][sc.td], dc) << sp.al)
		}
		return r.err
	}
	coefs := (*[blockSize]int16)(d.coefs[sc.ci][idx*blockSize:])
	mask := &d.nonZero[sc.ci][idx]
	if sp.ah != 0 {
		return d.refine(r, coefs, mask, &d.huff[1][sc.ta], sp)
	}
	d.decodeFirst(r, coefs, mask, sc, sp, dc)
	return r.err
}

// startEOBRun reads an end-of-band run (G.1.2.2): this block's band and
// those of the next 2^run - 1 + (run more bits) blocks have no more
// coefficients in this scan.
func (d *decoder) startEOBRun(r *bitReader, run int32) {
	d.eobRun = uint16(1) << run
	if run != 0 {
		d.eobRun |= uint16(r.bits(uint(run)))
	}
}

// store narrows a coefficient to 16 bits, saturating: no 8-bit encoder
// writes one wider, and saturation keeps its sign and whether it is zero,
// which is all that later scans look at.
func (d *decoder) store(v int32) int16 {
	if v > 32767 || v < -32768 {
		d.extreme = true
		return int16(min(max(v, -32768), 32767))
	}
	return int16(v)
}

// decodeDC decodes a DC difference (F.2.2.1) and returns the new DC.
func (d *decoder) decodeDC(r *bitReader, h *huffman, dc *int32) int32 {
	t := r.decode(h)
	if t > 16 {
		r.fail(errFormat("excessive DC component"))
		return 0
	}
	*dc += r.receiveExtend(uint(t))
	return *dc
}
