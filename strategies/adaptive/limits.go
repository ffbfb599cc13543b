package adaptive

import (
	"fmt"

	"github.com/tcpimg/tcpimg/core"
)

// Limits bounds an adaptive limit. An algorithm starts at Initial and never
// leaves Min..Max.
type Limits struct {
	Min     int // lowest limit, at least 1
	Initial int // limit before any sample, in Min..Max
	Max     int // highest limit
}

// ScaledLimits returns the limits for a pool of workers workers and a queue
// of queue tasks (see the package documentation for why): Min = workers,
// Initial = 2 x workers, Max = workers + queue, with Initial cut to Max.
// workers below 1 count as 1 and queue below 0 as 0.
func ScaledLimits(workers, queue int) Limits {
	workers, queue = max(workers, 1), max(queue, 0)
	hi := workers + queue
	return Limits{Min: workers, Initial: min(2*workers, hi), Max: hi}
}

// Validate reports limits no algorithm can keep, as a *core.ConfigError.
func (l Limits) Validate() error {
	switch {
	case l.Min < 1:
		return &core.ConfigError{Field: "Limits.Min", Value: l.Min, Want: "1 or more"}
	case l.Max < l.Min:
		return &core.ConfigError{Field: "Limits.Max", Value: l.Max, Want: fmt.Sprintf("%d (Min) or more", l.Min)}
	case l.Initial < l.Min || l.Initial > l.Max:
		return &core.ConfigError{Field: "Limits.Initial", Value: l.Initial, Want: fmt.Sprintf("%d..%d (Min..Max)", l.Min, l.Max)}
	}
	return nil
}

// clamp returns n within Min..Max.
func (l Limits) clamp(n int) int { return min(max(n, l.Min), l.Max) }
