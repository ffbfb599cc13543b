package jpegscale

// Sequential (baseline and extended) scans: most of a baseline
// thumbnail's time is in this file's loops.

// seqComp is what decodeSequentialScan needs of a component, looked up
// once per scan rather than once per block.
type seqComp struct {
	dcTab, acTab *huffman
	q            *[blockSize]int32
	pix          []uint8
	stride       int
	h, v         int
	ci           int
}

// decodeSequentialScan is decodeScan for an interleaved sequential scan,
// the whole of a baseline colour image: each block is decoded and
// reduced into its plane at once.
func (d *decoder) decodeSequentialScan(s *scanState, scan []scanComp) error {
	var comps [maxComponents]seqComp
	for i, sc := range scan {
		c := &d.comp[sc.ci]
		pl := d.planes[sc.ci]
		comps[i] = seqComp{&d.huff[0][sc.td], &d.huff[1][sc.ta], &d.quant[c.tq], pl.pix, pl.stride, c.h, c.v, sc.ci}
	}
	n := d.n
	wantAC := n > 1
	r, blk := &s.r, &s.blk
	for my := range d.myy {
		for mx := range d.mxx {
			for i := range scan {
				c := &comps[i]
				for y := range c.v {
					for x := range c.h {
						count := d.decodeSequential(r, blk, &s.nz, c.dcTab, c.acTab, &s.dc[c.ci], wantAC)
						if r.err != nil {
							return r.err
						}
						off := n * ((c.v*my+y)*c.stride + c.h*mx + x)
						if n == 1 {
							v := blk[0] * c.q[0]
							d.checkExtreme(v)
							c.pix[off] = dcPixel(v)
							blk[0] = 0
							continue
						}
						nz := s.nz[:count]
						d.reconstruct(blk, c.q, nz, c.pix[off:], c.stride)
						for _, z := range nz {
							blk[unzig[z]] = 0
						}
					}
				}
			}
			if err := d.nextUnit(s, d.mxx*d.myy); err != nil {
				return err
			}
		}
	}
	d.pos = r.pos
	return nil
}

// decodeSequential decodes a block of a sequential scan (F.2.2) into blk,
// quantised coefficients in natural order; AC values are stored only when
// wantAC (at 1/8 skipAC reads past them). The zig-zag indices of the
// coefficients stored, the DC's first, go to nz; it returns their count,
// so that the transform visits them without testing 64 positions. The
// bit reader's state stays in locals, and a symbol whose code fits the
// look-up bits is decoded with its value in one step: this loop is most
// of a baseline thumbnail's time at 1/2 and 1/4.
func (d *decoder) decodeSequential(r *bitReader, blk *[blockSize]int32, nz *[blockSize]uint8, dcTab, acTab *huffman, dc *int32, wantAC bool) int {
	if r.n < 32 {
		r.fill()
	}
	if e := dcTab.fast[r.acc>>(64-fastBits)]; e != 0 && r.n >= fastBits {
		l := uint(e & 0xff)
		r.acc <<= l
		r.n -= l
		*dc += e >> 16
		blk[0] = *dc
	} else {
		blk[0] = d.decodeDC(r, dcTab, dc)
	}
	nz[0] = 0
	if d.eobRun > 0 {
		d.eobRun--
		return 1
	}
	if !wantAC {
		d.skipAC(r, acTab)
		return 1
	}
	count := 1
	acc, n := r.acc, r.n
	for zig := int32(1); zig < blockSize; zig++ {
		if n < 32 {
			r.acc, r.n = acc, n
			r.fill()
			acc, n = r.acc, r.n
		}
		// Past the segment's end the look-up could read bits that do
		// not exist: the slow way checks each one.
		if e := acTab.fast[acc>>(64-fastBits)]; e != 0 && n >= 32 {
			l := uint(e & 0x1f)
			if z := zig + (e>>8)&0x7f; z < blockSize {
				x := e >> 16
				if e&fastRaw != 0 {
					size := uint(x)
					x = int32(acc << l >> (64 - size))
					if x < 1<<(size-1) {
						x += -1<<size + 1
					}
					l += size
				}
				acc <<= l
				n -= l
				zig = z
				blk[unzig[zig]] = x
				nz[count&(blockSize-1)] = uint8(zig)
				count++
				continue
			}
			if e&fastEOB != 0 {
				r.acc, r.n = acc<<l, n-l
				return count
			}
		}
		r.acc, r.n = acc, n
		v := r.decode(acTab)
		run, size := int32(v>>4), uint(v&0x0f)
		if size != 0 {
			zig += run
			if zig >= blockSize {
				return count
			}
			x := r.receiveExtend(size)
			acc, n = r.acc, r.n
			blk[unzig[zig]] = x
			nz[count&(blockSize-1)] = uint8(zig)
			count++
			continue
		}
		if run != 0x0f {
			d.startEOBRun(r, run)
			d.eobRun--
			return count
		}
		zig += 0x0f
		acc, n = r.acc, r.n
	}
	r.acc, r.n = acc, n
	return count
}

// skipAC reads a sequential block's AC symbols without keeping their
// values, one or two per look-up (huffman.step): at 1/8 only the DC
// counts, and the symbols' lengths are all that matters of the rest. The
// loop has no data-dependent branch but the block's end, which is what
// bounds its speed; a symbol the table does not cover (a code longer
// than its bits, a run past the block's end, an end-of-band run, the
// segment's end) is read the careful way, one symbol, so the loop moves
// through the block exactly as decodeSequential does.
func (d *decoder) skipAC(r *bitReader, acTab *huffman) {
	acc, n := r.acc, r.n
	for zig := int32(1); ; {
		if n < 32 {
			r.acc, r.n = acc, n
			r.fill()
			acc, n = r.acc, r.n
		}
		if e := acTab.step[acc>>(64-fastBits)]; e != 0 && n >= 32 {
			if z := zig + (e>>8)&0x7f; z <= blockSize {
				l := uint(e & 0xff)
				acc <<= l
				n -= l
				zig = z
				if e&fastEOB != 0 || z == blockSize {
					r.acc, r.n = acc, n
					return
				}
				continue
			}
		}
		r.acc, r.n = acc, n
		var done bool
		if zig, done = d.skipSymbol(r, acTab, zig); done {
			return
		}
		acc, n = r.acc, r.n
	}
}

// skipSymbol reads one AC symbol at position zig the careful way, its
// value unkept, and returns the next position and whether the block is
// done (an end of band, a run past its end, or an error).
func (d *decoder) skipSymbol(r *bitReader, acTab *huffman, zig int32) (int32, bool) {
	v := r.decode(acTab)
	run, size := int32(v>>4), uint(v&0x0f)
	switch {
	case r.err != nil:
		return zig, true
	case size != 0:
		zig += run
		if zig >= blockSize {
			return zig, true
		}
		r.bits(size)
		return zig + 1, zig+1 >= blockSize
	case run != 0x0f:
		d.startEOBRun(r, run)
		d.eobRun--
		return zig, true
	}
	zig += 0x10
	return zig, zig >= blockSize
}
