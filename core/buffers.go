package core

import (
	"bytes"
	"math/bits"
	"sync"
)

// Payload buffers come from power-of-two size classes so that a server
// reading frames of many sizes reuses memory instead of allocating per
// request. Classes run from 4 KiB to 32 MiB; larger buffers are not kept.
const (
	minBufShift = 12
	maxBufShift = 25
)

var bufClasses [maxBufShift - minBufShift + 1]sync.Pool

// getBuf returns a buffer of length n from its size class. The pointer is
// what goes back to putBuf, so recycling allocates nothing.
func getBuf(n int) *[]byte {
	c := bufClass(n)
	if c < 0 {
		b := make([]byte, n)
		return &b
	}
	if p, ok := bufClasses[c].Get().(*[]byte); ok {
		*p = (*p)[:n]
		return p
	}
	b := make([]byte, n, 1<<(c+minBufShift))
	return &b
}

// putBuf returns a buffer to its size class; buffers of other capacities
// are left to the garbage collector.
func putBuf(p *[]byte) {
	c := bufClass(cap(*p))
	if c < 0 || cap(*p) != 1<<(c+minBufShift) {
		return
	}
	bufClasses[c].Put(p)
}

func bufClass(n int) int {
	if n <= 1<<minBufShift {
		return 0
	}
	s := bits.Len(uint(n - 1))
	if s > maxBufShift {
		return -1
	}
	return s - minBufShift
}

// Output buffers of image jobs. Buffers that grew past maxKeptOut are
// dropped so one huge result does not pin memory.
const maxKeptOut = 8 << 20

var outPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getOut() *bytes.Buffer { return outPool.Get().(*bytes.Buffer) }

func putOut(b *bytes.Buffer) {
	if b.Cap() > maxKeptOut {
		return
	}
	b.Reset()
	outPool.Put(b)
}
