// Package chansem is the chan-sem limiter and the default: a counting
// semaphore made of a buffered channel, the simplest one Go offers. It is
// core's own [core.ChanLimiter], named here so that the registry lists it
// beside the alternatives.
package chansem

import "github.com/tcpimg/tcpimg/core"

// Limiter is core's buffered-channel semaphore.
type Limiter = core.ChanLimiter

var _ core.Limiter = (*Limiter)(nil)

// New returns a limiter with n slots (at least one).
func New(n int) *Limiter { return core.NewChanLimiter(n) }
