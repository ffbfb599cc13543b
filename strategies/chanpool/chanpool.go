// Package chanpool is the chan-pool strategy and the default: a fixed set of
// workers reading a buffered channel. It is the bounded pattern most Go
// servers write first, so it is the baseline every other strategy is
// compared against; the
// implementation is core's own worker pool over [core.ChanQueue], so the
// server's built-in default and this registry entry are the same code.
package chanpool

import "github.com/tcpimg/tcpimg/core"

// Pool is core's worker pool; this package fixes its queue to a buffered
// channel.
type Pool = core.WorkerPool

var (
	_ core.Pool      = (*Pool)(nil)
	_ core.StatsPool = (*Pool)(nil)
)

// New starts workers goroutines (at least one) reading a channel that
// buffers up to queue tasks; a queue of 0 hands each task straight to a
// waiting worker.
func New(workers, queue int) *Pool {
	return core.NewWorkerPool(workers, core.NewChanQueue(queue))
}
