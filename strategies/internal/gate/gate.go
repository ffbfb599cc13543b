// Package gate counts the tasks a pool has accepted and not yet finished, so
// that pools built on a library (or on nothing, like a goroutine per task)
// can refuse work once shutdown begins and know when the last accepted task
// is done. One atomic word holds both the closed flag and the count, so
// admitting a task is a single atomic add with no lock.
package gate

import (
	"sync"
	"sync/atomic"
)

// closedBit marks the gate closed inside the counter word; the count lives
// in the bits below it.
const closedBit = int64(1) << 62

// Gate admits tasks until Close, then reports when the admitted ones are all
// done. Use [New]; the zero value is not ready.
type Gate struct {
	n         atomic.Int64
	closed    chan struct{}
	drained   chan struct{}
	closeOnce sync.Once
	drainOnce sync.Once
}

// New returns an open gate.
func New() *Gate {
	return &Gate{closed: make(chan struct{}), drained: make(chan struct{})}
}

// Enter admits one task, or reports false once the gate is closed. Every
// true must be matched by one [Gate.Leave].
func (g *Gate) Enter() bool {
	if g.n.Add(1)&closedBit != 0 {
		g.Leave()
		return false
	}
	return true
}

// Leave marks one admitted task finished.
func (g *Gate) Leave() {
	if g.n.Add(-1) == closedBit {
		g.drainOnce.Do(func() { close(g.drained) })
	}
}

// Close refuses further tasks; [Gate.Drained] is closed once the admitted
// ones have left. It is idempotent.
func (g *Gate) Close() {
	g.closeOnce.Do(func() {
		close(g.closed)
		if g.n.Add(closedBit) == closedBit {
			g.drainOnce.Do(func() { close(g.drained) })
		}
	})
}

// Closed is closed when [Gate.Close] is first called, so that a caller
// waiting for room can give up.
func (g *Gate) Closed() <-chan struct{} { return g.closed }

// Drained is closed when the gate is closed and every admitted task has
// left.
func (g *Gate) Drained() <-chan struct{} { return g.drained }

// Active returns the number of admitted tasks that have not left.
func (g *Gate) Active() int { return int(g.n.Load() &^ closedBit) }
