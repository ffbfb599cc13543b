// Package codel holds the strategies that manage their queue under
// overload: codel (CoDel's controlled delay: shed the tasks that waited too
// long while a standing queue persists), adaptive-lifo (serve the newest
// task first while a standing queue persists), codel-lifo (both, as in
// "Fail at Scale", ACM Queue 2015) and demand-lifo (both, while the
// standing queue comes with more work arriving than the workers can do;
// see [NewDemandController]). Each is a fixed set of core workers over
// a mutex-queue ring whose order and shedding a [Discipline] decides.
//
// Shedding needs a reject path: only tasks that implement core.Rejecter are
// shed, so a plain task is always run once accepted.
package codel

import (
	"time"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies/mutexqueue"
)

// The defaults are CoDel's, which folly keeps for services: a 5 ms target
// is well above the delay of a queue that drains, and 100 ms is long
// enough to tell a burst from a standing queue.
const (
	DefaultTarget   = 5 * time.Millisecond
	DefaultInterval = 100 * time.Millisecond
)

// Config sets a Discipline.
type Config struct {
	// Target is the queueing delay a standing queue stays above; a task
	// that waited more than twice it is shed while overloaded. 0 means
	// DefaultTarget.
	Target time.Duration
	// Interval is how long the delay must stay above Target before
	// shedding starts, and how recently the queue must have drained for
	// an adaptive order to stay first in, first out. 0 means
	// DefaultInterval.
	Interval time.Duration
	// Shed turns CoDel's shedding on.
	Shed bool
	// AdaptiveLIFO serves the newest task first while the queue has not
	// drained for an Interval, or, with Demand, while overloaded.
	AdaptiveLIFO bool
	// Demand makes overload a matter of the offered load as well as the
	// delay (see [NewDemandController]), so that neither shedding nor
	// the order changes while work arrives no faster than Workers can do
	// it, and a drain does not end an overload while it does.
	Demand bool
	// Workers is the number of workers taking tasks, which Demand needs
	// for the queue's capacity; [New] sets it. 0 means 1.
	Workers int
	// Now reads the clock; nil means time.Now. Tests inject a fake one.
	Now func() time.Time
}

// withDefaults resolves the documented zero values.
func (c Config) withDefaults() Config {
	if c.Target == 0 {
		c.Target = DefaultTarget
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Discipline is the [mutexqueue.Discipline] of the codel strategies: it
// gives the queue the clock that stamps each task as it is pushed, feeds
// the head's delay to a CoDel [Controller] when shedding, and switches to
// last in, first out while a standing queue persists when adaptive. The
// queue calls it under its lock.
type Discipline struct {
	cfg       Config
	ctl       *Controller // nil unless Shed or Demand
	lastEmpty time.Time   // the last moment the queue was seen empty
}

var _ mutexqueue.Discipline = (*Discipline)(nil)

// NewDiscipline returns a discipline set by cfg, its zero values resolved.
func NewDiscipline(cfg Config) *Discipline {
	cfg = cfg.withDefaults()
	d := &Discipline{cfg: cfg}
	switch {
	case cfg.Demand:
		d.ctl = NewDemandController(cfg.Target, cfg.Interval, cfg.Workers)
	case cfg.Shed:
		d.ctl = NewController(cfg.Target, cfg.Interval)
	}
	return d
}

// Now reads the clock Config gave.
func (d *Discipline) Now() time.Time { return d.cfg.Now() }

// Pushed is told of a task joining n waiting ones; a push onto an empty
// queue is a moment the queue was drained.
func (d *Discipline) Pushed(n int, now time.Time) {
	if n == 0 {
		d.lastEmpty = now
	}
	if d.ctl != nil {
		d.ctl.Arrived(now)
	}
}

// Refused is told of a task the full queue turned away: an arrival all
// the same, or a full queue would hide the excess from the demand.
func (d *Discipline) Refused(now time.Time) {
	if d.ctl != nil {
		d.ctl.Arrived(now)
	}
}

// Waiting is told that a worker found the queue empty at now.
func (d *Discipline) Waiting(now time.Time) {
	if d.ctl != nil {
		d.ctl.Waiting(now)
	}
}

// Woken is told that a waiting worker woke at now.
func (d *Discipline) Woken(now time.Time) {
	if d.ctl != nil {
		d.ctl.Woken(now)
	}
}

// Take chooses what a worker takes from n waiting tasks. The head's delay
// is CoDel's sample in either order: it is how long the queue has been
// standing, whereas the newest task's delay says nothing about it. A take
// that empties the queue is also a sample of no delay, so that a drained
// queue ends an overload at the next interval even when it then idles.
func (d *Discipline) Take(n int, oldest, now time.Time, sheddable bool) mutexqueue.Choice {
	shed := false
	if d.ctl != nil {
		// The queue reads the clock before its lock, so a task pushed by a
		// rival may carry a stamp a little after now: that is no delay.
		shed = d.ctl.Observe(max(now.Sub(oldest), 0), now)
		if n == 1 {
			d.ctl.Observe(0, now)
		}
	}
	if shed && sheddable {
		return mutexqueue.ShedOldest
	}
	if d.ctl != nil {
		d.ctl.Ran()
	}
	switch {
	case n == 1:
		d.lastEmpty = now
	case !d.cfg.AdaptiveLIFO:
	case d.cfg.Demand:
		if d.ctl.Overloaded() {
			return mutexqueue.TakeNewest
		}
	case now.Sub(d.lastEmpty) > d.cfg.Interval:
		return mutexqueue.TakeNewest
	}
	return mutexqueue.TakeOldest
}

// Overload reports the controller's state, for a discipline that sheds;
// the queue calls it under its lock.
func (d *Discipline) Overload() (core.OverloadStats, bool) {
	if d.ctl == nil {
		return core.OverloadStats{}, false
	}
	return core.OverloadStats{Overloaded: d.ctl.Overloaded(), Demand: d.ctl.Demand()}, true
}

// New starts workers goroutines (at least one) over a queue of the given
// capacity (0 hands each task straight to a waiting worker) under the
// discipline cfg sets.
func New(workers, capacity int, cfg Config) *core.WorkerPool {
	cfg.Workers = max(workers, 1)
	return core.NewWorkerPool(workers, mutexqueue.NewQueueWith(capacity, NewDiscipline(cfg)))
}
