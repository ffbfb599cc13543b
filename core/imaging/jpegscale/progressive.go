package jpegscale

import "math/bits"

// Progressive scans (G.1.2): coefficients are kept between scans, in 16
// bits each, with a mask per block of the non-zero ones.

// decodeFirst decodes a progressive scan's first pass over its band of a
// block (G.1.2.1, G.1.2.2) into the block's stored coefficients.
func (d *decoder) decodeFirst(r *bitReader, blk *[blockSize]int16, mask *uint64, sc scanComp, sp scanParams, dc *int32) {
	zig := sp.zs
	if zig == 0 {
		zig++
		blk[0] = d.store(d.decodeDC(r, &d.huff[0][sc.td], dc) << sp.al)
	}
	if zig > sp.ze {
		return
	}
	if d.eobRun > 0 {
		d.eobRun--
		return
	}
	d.decodeACBand(r, blk, mask, &d.huff[1][sc.ta], zig, sp.ze, sp.al)
}

// decodeACBand reads a block's AC symbols for positions zig..ze of a first
// pass (G.1.2.2; a sequential block's is 1..63), storing each coefficient
// shifted left by al and marking it in mask, until an end of band, which
// may start a run over the next blocks.
func (d *decoder) decodeACBand(r *bitReader, blk *[blockSize]int16, mask *uint64, h *huffman, zig, ze int32, al uint32) {
	for ; zig <= ze; zig++ {
		v := r.decode(h)
		run, size := int32(v>>4), uint(v&0x0f)
		if size != 0 {
			zig += run
			if zig > ze {
				return
			}
			blk[unzig[zig]] = d.store(r.receiveExtend(size) << al)
			*mask |= 1 << zig
			continue
		}
		if run != 0x0f {
			d.startEOBRun(r, run)
			d.eobRun--
			return
		}
		zig += 0x0f
	}
}

// refine decodes a successive approximation refinement of a block's
// stored coefficients (G.1.2.3).
func (d *decoder) refine(r *bitReader, blk *[blockSize]int16, mask *uint64, h *huffman, sp scanParams) error {
	delta := int32(1) << sp.al
	if sp.zs == 0 {
		if r.bit() {
			blk[0] = d.store(int32(blk[0]) | delta)
		}
		return r.err
	}
	zig := sp.zs
	if d.eobRun == 0 {
	loop:
		for ; zig <= sp.ze; zig++ {
			z := int32(0)
			v := r.decode(h)
			if r.err != nil {
				return r.err
			}
			run, size := int32(v>>4), v&0x0f
			switch size {
			case 0:
				if run != 0x0f {
					d.startEOBRun(r, run)
					break loop
				}
			case 1:
				z = delta
				if !r.bit() {
					z = -z
				}
			default:
				return errFormat("unexpected Huffman code")
			}
			zig = d.refineNonZeroes(r, blk, *mask, zig, sp.ze, run, delta)
			if zig > sp.ze {
				return errFormat("too many coefficients")
			}
			if z != 0 {
				blk[unzig[zig]] = d.store(z)
				*mask |= 1 << zig
			}
		}
	}
	if d.eobRun > 0 {
		d.eobRun--
		d.refineNonZeroes(r, blk, *mask, zig, sp.ze, -1, delta)
	}
	return r.err
}

// refineNonZeroes adds a correction bit to each non-zero coefficient of
// blk from zig on (mask says which are non-zero), stopping at the
// (nz+1)-th zero coefficient when nz >= 0, and returns where it stopped:
// that zero's position, or ze+1.
func (d *decoder) refineNonZeroes(r *bitReader, blk *[blockSize]int16, mask uint64, zig, ze, nz, delta int32) int32 {
	band := (^uint64(0) << zig) & (^uint64(0) >> (63 - ze))
	end := ze + 1
	if nz >= 0 {
		zeros := ^mask & band
		for ; nz > 0 && zeros != 0; nz-- {
			zeros &= zeros - 1
		}
		if zeros != 0 {
			end = int32(bits.TrailingZeros64(zeros))
		}
	}
	for todo := mask & band & (1<<uint(end) - 1); todo != 0; todo &= todo - 1 {
		if !r.bit() {
			continue
		}
		u := unzig[bits.TrailingZeros64(todo)]
		if c := int32(blk[u]); c >= 0 {
			blk[u] = d.store(c + delta)
		} else {
			blk[u] = d.store(c - delta)
		}
	}
	return end
}

// reconstructProgressive turns the stored coefficients into pixels once
// every scan is read, for the blocks image/jpeg reconstructs.
func (d *decoder) reconstructProgressive() {
	var blk [blockSize]int32
	var nzs [blockSize]uint8
	n := d.n
	for ci := range d.nComp {
		coefs := d.coefs[ci]
		if coefs == nil {
			continue // never scanned: left at zero, as image/jpeg leaves it
		}
		c := &d.comp[ci]
		vs := 8 * d.comp[0].v / c.v
		hs := 8 * d.comp[0].h / c.h
		stride := d.mxx * c.h
		q := &d.quant[c.tq]
		pl := &d.planes[ci]
		for by := 0; by*vs < d.height; by++ {
			for bx := 0; bx*hs < d.width; bx++ {
				idx := by*stride + bx
				nz := nzs[:1]
				if d.dcOnly {
					blk[0] = int32(coefs[idx])
				} else {
					for k, v := range coefs[idx*blockSize:][:blockSize] {
						blk[k] = int32(v)
					}
					nz = listNonZero(d.nonZero[ci][idx], &nzs)
				}
				d.reconstruct(&blk, q, nz, pl.pix[n*(by*pl.stride+bx):], pl.stride)
			}
		}
	}
}

// listNonZero lists the zig-zag indices of a block's non-zero AC
// coefficients, from its mask, in nzs after the DC's, and returns them.
func listNonZero(mask uint64, nzs *[blockSize]uint8) []uint8 {
	nzs[0] = 0
	count := 1
	for m := mask &^ 1; m != 0; m &= m - 1 {
		nzs[count&(blockSize-1)] = uint8(bits.TrailingZeros64(m))
		count++
	}
	return nzs[:count]
}
