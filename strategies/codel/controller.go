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
	overloaded bool          // the verdict on the last interval: shed while true
	demand     *demand       // nil unless the overload must show in the load too
}

// NewController returns a controller with the given target delay and
// interval, which must be positive, the target below the interval (see
// [Config]).
func NewController(target, interval time.Duration) *Controller {
	return &Controller{target: target, interval: interval}
}

// NewDemandController returns a controller like [NewController] whose
// overload must also show in the offered load: the work that arrived
// against what the given number of workers could do in the same time (the
// Arrived, Ran, Waiting and Woken methods feed it). It weighs the load
// over the last interval (short) and over the last ten (long, a second at
// CoDel's interval). The next interval is overloaded when
//
//   - the long load is above 1.1, and the last interval either kept a
//     standing queue, as CoDel requires, or had a load above 1 itself: a
//     queue that shedding empties is no sign that the load has passed; or
//   - whatever the load, every task in the last interval had waited
//     longer than the interval itself: a backlog that deep (a burst
//     within one interval leaves one) makes its tasks wait longer than
//     CoDel gives a burst to drain.
//
// CoDel's delay alone cannot tell a standing queue at 90% load, which
// ends by itself, from one at twice the capacity, which does not; nor a
// queue drained by the load's end from one drained by shedding. Under
// overload, folly's rule stands down after each drain and lets a queue of
// an interval's excess arrivals build before it sheds again; at 90% it
// sheds whenever a queue happens to stand for an interval. The long view
// keeps the noise of one interval's arrivals from starting an overload;
// the short one, with the drain, ends it an interval or two after the
// load falls.
func NewDemandController(target, interval time.Duration, workers int) *Controller {
	c := NewController(target, interval)
	c.demand = &demand{workers: max(workers, 1), interval: interval}
	return c
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
			c.overloaded = c.verdict(now)
		}
		c.end = now.Add(c.interval)
		c.minDelay = delay
		return false
	}
	c.minDelay = min(c.minDelay, delay)
	return c.overloaded && delay > 2*c.target
}

// verdict closes the interval at now and says whether the next one is
// overloaded.
func (c *Controller) verdict(now time.Time) bool {
	standing := c.minDelay > c.target
	if c.demand == nil {
		return standing
	}
	c.demand.close(now)
	switch {
	case c.minDelay > c.interval:
		return true
	case c.demand.long <= demandOverload:
		return false
	}
	return standing || c.demand.short > 1
}

// Overloaded reports whether the last complete interval kept a standing
// queue (for a [NewDemandController], whether it met that controller's
// rule), so that tasks waiting past twice the target are being shed.
func (c *Controller) Overloaded() bool { return c.overloaded }

// Demand returns the offered load over the last second or so (see
// [NewDemandController]), or 0 for a controller that does not measure it.
func (c *Controller) Demand() float64 {
	if c.demand == nil {
		return 0
	}
	return c.demand.long
}

// Arrived records a task offered to the queue at now, whether or not the
// queue had room for it.
func (c *Controller) Arrived(now time.Time) {
	if c.demand != nil {
		c.demand.arrive(now)
	}
}

// Ran records that a worker took a task to run it, not to shed it.
func (c *Controller) Ran() {
	if c.demand != nil {
		c.demand.run()
	}
}

// Waiting records that a worker found the queue empty at now and waits.
func (c *Controller) Waiting(now time.Time) {
	if c.demand != nil {
		c.demand.waiting(now)
	}
}

// Woken records that a waiting worker woke at now.
func (c *Controller) Woken(now time.Time) {
	if c.demand != nil {
		c.demand.woken(now)
	}
}
