package harness

import (
	"slices"
	"time"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// Metrics is what one run of a scenario measured. Counts and histograms
// cover the measured period (after warm-up), except Lost and Unexpected,
// which check the whole run.
type Metrics struct {
	Scenario string `json:"scenario"`
	Strategy string `json:"strategy"` // the pool strategy, or a label for a remote target
	Loop     Loop   `json:"loop"`
	Rep      int    `json:"rep"` // repetition number within a series of runs

	Start    time.Time     `json:"start"`    // when the measured period began
	Elapsed  time.Duration `json:"elapsed"`  // length of the measured period
	Capacity float64       `json:"capacity"` // req/s that RateOfCapacity scaled (0: not used)
	// CapacitySpread is the relative spread, (max - min) / median, of the
	// calibration runs whose median is Capacity.
	CapacitySpread float64 `json:"capacity_spread,omitempty"`

	// Scheduled counts the requests an open loop's schedule made due in the
	// measured period; for a closed loop it equals Sent.
	Scheduled uint64 `json:"scheduled"`
	// Sent counts requests written in the measured period; Total counts
	// those of the whole run, warm-up included.
	Sent  uint64 `json:"sent"`
	Total uint64 `json:"total"`
	// Late counts open-loop requests written more than LateAfter after
	// they were due, because every connection's window was full.
	Late uint64 `json:"late"`
	// Unsent counts open-loop requests due before the schedule ended that
	// were never written: the server had not freed a window slot by then.
	// Their wait until the end is recorded in Latency as a lower bound.
	Unsent uint64 `json:"unsent"`
	// Status counts answers by status code.
	Status [core.NumStatus]uint64 `json:"status"`
	// Lost counts requests of the whole run, warm-up included, that got no
	// answer before their connection closed. It must be 0: the protocol
	// answers every request read whole.
	Lost uint64 `json:"lost"`
	// Unexpected counts answers whose job id was not awaited (a second
	// answer, or one never asked for). It must be 0. Its JSON key is the
	// one the records in results/ carry.
	Unexpected uint64 `json:"duplicates"`

	// Timeout is the clients' timeout (Scenario.Timeout); 0 for none.
	Timeout time.Duration `json:"timeout,omitempty"`
	// TimedOut counts requests of the measured period the clients gave up
	// on and did not retry; AfterTimeout the answers they read after
	// giving up (whose service time the Window counts as wasted).
	TimedOut     uint64 `json:"timed_out,omitempty"`
	AfterTimeout uint64 `json:"after_timeout,omitempty"`
	// Retries counts requests written again (Scenario.Retry); they are
	// not in Sent. RetriesUnsent counts retries decided but never
	// written, because the load ended first.
	Retries       uint64 `json:"retries,omitempty"`
	RetriesUnsent uint64 `json:"retries_unsent,omitempty"`
	// Recovery is how the goodput in time came back after a spike, for a
	// scenario with a RecoveryWindow; nil otherwise.
	Recovery *Recovery `json:"recovery,omitempty"`

	// Window counts the answers read during the measured period by status,
	// whichever request they answer, in equal time bins. Goodput, the
	// answer rate and the BUSY share come from it, so they cannot exceed
	// what the server did in the period: answers that a queue drains after
	// it do not count. (A run counting Jobs has no window; its counts are
	// by request.)
	Window loadclient.Window `json:"window"`
	// Steady is the steady-state check of the window, for scenarios that
	// hold one load (see [CheckSteady]).
	Steady *SteadyCheck `json:"steady,omitempty"`

	// Latency is the end-to-end time of OK answers, from when the request
	// was due (open loop) or written (closed loop) to when its answer was
	// read. Queue and Service are the server's own account of the same
	// requests, from the response header.
	Latency loadclient.Histogram `json:"latency"`
	Queue   loadclient.Histogram `json:"queue"`
	Service loadclient.Histogram `json:"service"`

	// TLS is set when the load connections spoke TLS to the server.
	TLS bool `json:"tls,omitempty"`

	// InProcess is set when the server ran in this process, which makes
	// the fields below meaningful.
	InProcess bool `json:"in_process"`
	// Isolated is set when the server ran as a process of its own (see
	// Isolation); the peaks, Leaked and Server below are then the server
	// process's own, read from its admin listener.
	Isolated *IsolatedRun `json:"isolated,omitempty"`
	// PeakGoroutines and PeakHeap are the process's highest goroutine count
	// and heap (bytes in heap objects) sampled during the run; the load
	// generator's share is the same for every strategy.
	PeakGoroutines int    `json:"peak_goroutines"`
	PeakHeap       uint64 `json:"peak_heap"`
	// Leaked counts goroutines still alive after Shutdown returned and
	// the load generator stopped, beyond those alive before the run.
	Leaked int `json:"leaked"`
	// Series samples goroutines and heap through the run.
	Series []Sample `json:"series,omitempty"`
	// Server is the server's own counters after Shutdown.
	Server core.Stats `json:"server"`
	// ServerConfig is the configuration the in-process server ran with,
	// defaults spelled out; nil when the server was out of reach.
	ServerConfig *ServerConfig `json:"server_config,omitempty"`

	// Model compares the run with queueing theory, for a scenario that
	// asks (Scenario.Model); nil otherwise.
	Model *ModelFit `json:"model,omitempty"`
}

// Sample is one point of a run's time series.
type Sample struct {
	At         time.Duration `json:"at"` // since the run began (warm-up included)
	Goroutines int           `json:"goroutines"`
	Heap       uint64        `json:"heap"`
}

// LateAfter is how far behind its due time an open-loop request may be
// written and still count as on time. It is longer than the Go scheduler's
// time slice (10 ms), so that a generator goroutine that waited for a
// processor busy with a job does not count; a request that waited for a
// window slot does.
const LateAfter = 15 * time.Millisecond

// fill copies what a run's tally counted into m.
func (m *Metrics) fill(c *loadclient.Counts) {
	m.Total, m.Sent, m.Late, m.Unsent = c.Total, c.Sent, c.Late, c.Unsent
	m.Status = c.Status
	m.Lost, m.Unexpected = c.Lost, c.Unexpected
	m.Latency, m.Queue, m.Service = c.Latency, c.Queue, c.Service
	m.Window = c.Window
	m.TimedOut, m.AfterTimeout, m.Retries = c.TimedOut, c.AfterTimeout, c.Retries
}

// answers returns the answers of the measured period by status: those read
// inside it when the run had a window, otherwise those to the requests
// sent in it.
func (m *Metrics) answers() *[core.NumStatus]uint64 {
	if m.Window.Set() {
		return &m.Window.Status
	}
	return &m.Status
}

// Answered returns the number of answers of any status.
func (m *Metrics) Answered() uint64 {
	var n uint64
	for _, c := range m.Status {
		n += c
	}
	return n
}

// perSecond divides n by the measured period.
func (m *Metrics) perSecond(n uint64) float64 {
	if m.Elapsed <= 0 {
		return 0
	}
	return float64(n) / m.Elapsed.Seconds()
}

// perOp divides n by the requests sent (0 when none were).
func perOp(n, ops uint64) float64 {
	if ops == 0 {
		return 0
	}
	return float64(n) / float64(ops)
}

// Offered returns the requests per second the load asked for: what the
// schedule made due (open loop) or what was sent (closed loop).
func (m *Metrics) Offered() float64 { return m.perSecond(m.Scheduled) }

// Achieved returns answers per second, any status: how fast the server
// answered, shedding included. It counts the answers read in the measured
// period (see Window).
func (m *Metrics) Achieved() float64 {
	var n uint64
	for _, c := range m.answers() {
		n += c
	}
	return m.perSecond(n)
}

// Goodput returns OK answers per second, counted as they were read in the
// measured period (see Window).
func (m *Metrics) Goodput() float64 { return m.perSecond(m.answers()[core.StatusOK]) }

// GoodputInTime returns the OK answers per second that came within the
// clients' timeout of their request's first due time, counted as they were
// read in the measured period: what users got in time. It is Goodput
// without a timeout.
func (m *Metrics) GoodputInTime() float64 {
	if !m.Window.Set() {
		return m.Goodput()
	}
	return m.perSecond(m.Window.InTime)
}

// BusyShare returns the share of the period's answers that were BUSY.
func (m *Metrics) BusyShare() float64 {
	a := m.answers()
	var n uint64
	for _, c := range a {
		n += c
	}
	return perOp(a[core.StatusBusy], n)
}

// Utilisation returns the offered load as a fraction of the capacity an
// open loop was scaled by, and 0 when it was not.
func (m *Metrics) Utilisation() float64 {
	if m.Capacity <= 0 {
		return 0
	}
	return m.Offered() / m.Capacity
}

// Figure is one number a benchmark reports (testing.B.ReportMetric), in a
// unit benchstat parses.
type Figure struct {
	Value float64
	Unit  string
}

// Figures returns the figures a benchmark reports, in a fixed order:
// imgs/s (answers per second), goodput/s, offered/s, p50-ns, p99-ns,
// p999-ns (OK latency; left out when no OK answer was measured, rather than
// reported as 0), busy/op, late/op (late or unsent, per request due),
// lost/op (per request of the whole run); for an open loop run at a
// fraction of the capacity, capacity/s (the capacity it was scaled by) and
// utilisation (offered / capacity); after a steady-state check, steady (1
// or 0); with a client timeout or
// retries, goodput-in-time/s, timeouts/op, wasted-work (the share of the
// server's service time spent on answers read after their client gave
// up), retries/op (per request sent) and service-p99-ns (the p99 of the
// server's own service time of the OK answers); after a spike, recovery-s and
// recovered (see [Recovery]); and, when the server ran in
// process, peak-goroutines, peak-heap-B and leaked-goroutines; for a run
// checked against a model, the model's figures (see [ModelFit]): wait-ms,
// model-wait-ms, wait-ci-ms, wait-vs-model, little-vs-model, rho,
// arrival-scv and service-scv.
func (m *Metrics) Figures() []Figure {
	fs := []Figure{
		{m.Achieved(), "imgs/s"},
		{m.Goodput(), "goodput/s"},
		{m.Offered(), "offered/s"},
	}
	if m.Latency.Count() > 0 {
		fs = append(fs,
			Figure{float64(m.Latency.Quantile(0.50)), "p50-ns"},
			Figure{float64(m.Latency.Quantile(0.99)), "p99-ns"},
			Figure{float64(m.Latency.Quantile(0.999)), "p999-ns"},
		)
	}
	fs = append(fs,
		Figure{m.BusyShare(), "busy/op"},
		Figure{perOp(m.Late+m.Unsent, m.Scheduled), "late/op"},
		Figure{perOp(m.Lost, m.Total), "lost/op"},
	)
	if u := m.Utilisation(); u > 0 {
		fs = append(fs, Figure{m.Capacity, "capacity/s"}, Figure{u, "utilisation"})
	}
	if m.Steady != nil {
		fs = append(fs, Figure{b2f(m.Steady.OK), "steady"})
	}
	if m.Timeout > 0 || m.Retries > 0 {
		fs = append(fs,
			Figure{m.GoodputInTime(), "goodput-in-time/s"},
			Figure{perOp(m.TimedOut, m.Sent), "timeouts/op"},
			Figure{m.Window.Wasted(), "wasted-work"},
			Figure{perOp(m.Retries, m.Sent), "retries/op"},
		)
		if m.Service.Count() > 0 {
			fs = append(fs, Figure{float64(m.Service.Quantile(0.99)), "service-p99-ns"})
		}
	}
	if m.Recovery != nil {
		fs = append(fs, Figure{m.Recovery.Seconds, "recovery-s"}, Figure{b2f(m.Recovery.Recovered), "recovered"})
	}
	if m.InProcess || m.Isolated != nil {
		fs = append(fs,
			Figure{float64(m.PeakGoroutines), "peak-goroutines"},
			Figure{float64(m.PeakHeap), "peak-heap-B"},
			Figure{float64(m.Leaked), "leaked-goroutines"},
		)
	}
	if m.Isolated != nil {
		fs = append(fs, m.Isolated.figures(&m.Server)...)
	}
	if m.Model != nil {
		fs = append(fs, m.Model.figures()...)
	}
	return fs
}

// MeanFigures averages the figures of several runs of one scenario, unit by
// unit, for a benchmark that made more than one run. A unit some runs left
// out is averaged over the runs that have it.
func MeanFigures(runs []*Metrics) []Figure {
	var mean []Figure
	n := map[string]int{}
	for _, m := range runs {
		for _, f := range m.Figures() {
			i := slices.IndexFunc(mean, func(x Figure) bool { return x.Unit == f.Unit })
			if i < 0 {
				i = len(mean)
				mean = append(mean, Figure{Unit: f.Unit})
			}
			mean[i].Value += f.Value
			n[f.Unit]++
		}
	}
	for i := range mean {
		mean[i].Value /= float64(n[mean[i].Unit])
	}
	return mean
}
