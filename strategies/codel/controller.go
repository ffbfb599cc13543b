package codel

import "time"

// Controller is CoDel's state machine, as folly's executors apply it to a
// service's request queue rather than to packets: it watches the delay of
// the task at the head of the queue each time a worker takes one, and keeps
// the smallest delay seen in each interval. A minimum above the target for
// a whole interval means the queue never drained to the target in that
// time: a standing queue, which only adds latency, as opposed to a burst,
// which drains. For the next interval the controller is then overloaded,
// and a task that waited more than twice the target is shed instead of run.
//
// Shedding at a fixed 2 × target, instead of CoDel's drops at shortening
// intervals, is folly's choice for services: a stale request is worth
// nothing to a client that has likely given up, and shedding every one of
// them empties the standing queue at once.
//
// Controller takes the time as an argument, so it is deterministic; it is
// not safe for concurrent use (a queue calls it under its lock). The zero
// value is not ready: use [NewController].
type Controller struct {
	target   time.Duration
	interval time.Duration

	end        time.Time     // when the current interval ends; zero before the first sample
	minDelay   time.Duration // smallest delay seen in the current interval
	overloaded bool          // the last interval's minimum was above target
}

// NewController returns a controller with the given target delay and
// interval, which must be positive, the target below the interval (see
// [Config]).
func NewController(target, interval time.Duration) *Controller {
	return &Controller{target: target, interval: interval}
}

// Observe records that a task which has waited delay is at the head of the
// queue at now, and reports whether it should be shed.
//
// The first sample of each interval is never shed, as in folly: it closes
// the previous interval's verdict, and a queue seen once is no evidence
// that the load goes on.
func (c *Controller) Observe(delay time.Duration, now time.Time) (shed bool) {
	if c.end.IsZero() || now.After(c.end) {
		if !c.end.IsZero() {
			c.overloaded = c.minDelay > c.target
		}
		c.end = now.Add(c.interval)
		c.minDelay = delay
		return false
	}
	c.minDelay = min(c.minDelay, delay)
	return c.overloaded && delay > 2*c.target
}

// Overloaded reports whether the last complete interval kept a standing
// queue, so that tasks waiting past twice the target are being shed.
func (c *Controller) Overloaded() bool { return c.overloaded }
