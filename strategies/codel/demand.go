package codel

import "time"

// demand measures, over each of a [Controller]'s intervals, the work that
// arrived against the work the workers could do in the same time: the
// offered load ρ = λ·S/c, with λ the arrivals per second, S the mean
// service time and c the workers. It needs no service time from the
// tasks: S is the workers' busy time over the tasks they started, and the
// busy time is the interval's worker-time less the time workers waited
// for a task.
//
// It is the evidence a delay cannot give. A queue that CoDel's own
// shedding empties shows a delay of zero while twice the capacity goes on
// arriving, and a queue at 90% load stands for longer than an interval
// now and then while arrivals stay below capacity. The count tells the
// two apart: about 2 in the first case, below 1 in the second.
type demand struct {
	workers  int
	interval time.Duration // the controller's

	start       time.Time // when the current span began; zero before the first event
	last        time.Time // the latest time idle was integrated to
	idleWorkers int       // workers waiting for a task now
	cur         span      // the current span
	recent      [demandSpans]span
	next        int     // where the span closed next goes in recent
	short, long float64 // the offered load of the last span, and of recent
}

// demandSpans is how many intervals the long view of the demand spans: at
// CoDel's 100 ms, a second, over which the arrivals at 90% of a capacity
// of a few hundred a second vary by about 6%, where over one interval
// they vary by 20%.
const demandSpans = 10

// span is what happened over one interval.
type span struct {
	worker  time.Duration // the workers' time in it: workers × its length
	idle    time.Duration // of which spent waiting for a task
	arrived int           // tasks offered, refused ones included
	ran     int           // tasks workers started (not those shed)
}

// load returns the offered load over the spans, and whether they say
// anything: a span in which no task started tells nothing of the service
// time, unless nothing arrived either.
func load(spans ...span) (float64, bool) {
	var sum span
	for _, s := range spans {
		sum.worker += s.worker
		sum.idle += s.idle
		sum.arrived += s.arrived
		sum.ran += s.ran
	}
	switch {
	case sum.ran > 0 && sum.worker > 0:
		busy := max(sum.worker-sum.idle, 0)
		return float64(sum.arrived) * float64(busy) / (float64(sum.ran) * float64(sum.worker)), true
	case sum.arrived == 0:
		return 0, true
	}
	return 0, false
}

// advance integrates the waiting workers' time up to now. Clocks are read
// before the queue's lock, so events may come a little out of order: an
// earlier now adds nothing.
func (d *demand) advance(now time.Time) {
	if d.start.IsZero() {
		d.start, d.last = now, now
		return
	}
	if now.After(d.last) {
		d.cur.idle += time.Duration(d.idleWorkers) * now.Sub(d.last)
		d.last = now
	}
}

func (d *demand) arrive(now time.Time) {
	d.advance(now)
	d.cur.arrived++
}

func (d *demand) run() { d.cur.ran++ }

func (d *demand) waiting(now time.Time) {
	d.advance(now)
	d.idleWorkers++
}

func (d *demand) woken(now time.Time) {
	d.advance(now)
	d.idleWorkers = max(d.idleWorkers-1, 0)
}

// close ends the current span at now, updates the short and long views
// of the offered load, and starts the next span. A view that says nothing
// keeps its previous value.
func (d *demand) close(now time.Time) {
	d.advance(now)
	length := d.last.Sub(d.start)
	if excess := length - d.interval; excess > 0 {
		// A span closes at the first take after its interval ends, so one
		// runs long only when no worker took a task: they waited, or ran
		// tasks longer than the interval. Either way the time past an
		// interval says nothing of the load now, and a quiet minute
		// would otherwise outweigh the busy second after it.
		length = d.interval
		d.cur.idle = max(d.cur.idle-time.Duration(d.workers)*excess, 0)
	}
	d.cur.worker = time.Duration(d.workers) * length
	d.recent[d.next] = d.cur
	d.next = (d.next + 1) % demandSpans
	if r, ok := load(d.cur); ok {
		d.short = r
	}
	if r, ok := load(d.recent[:]...); ok {
		d.long = r
	}
	d.start, d.cur = d.last, span{}
}

// demandOverload is the long view's offered load above which a standing
// queue counts as overload. Over a second at a few hundred tasks a second
// the estimate varies by about 6% (one standard deviation), so a load of
// 0.95 reads above 1 one second in five, and above 1.1 about one in two
// hundred; twice the capacity reads about 2. A server overloaded by less
// than a tenth builds its queue slowly, and is shed from once every task
// has waited an interval (see [NewDemandController]).
const demandOverload = 1.1
