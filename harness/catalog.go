package harness

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tcpimg/tcpimg/core"
)

// CalibrationScenario names the scenario whose goodput is a target's
// capacity, the 100% of every RateOfCapacity.
const CalibrationScenario = "saturate"

// Lengths shared by the steady scenarios. A closed loop holds its requests
// in flight from the start, so it is steady after a short warm-up; the
// open loops set their own (see openAt). They are short so that the whole
// matrix (every scenario x every strategy) runs in minutes on two cores;
// -harness.scale (see the benchmarks) lengthens them.
const (
	warmup   = 150 * time.Millisecond
	duration = 500 * time.Millisecond
	// openDuration is an open loop's measured period: long against the
	// time its queue takes to drain (64 jobs at a few hundred a second is
	// 0.1 to 0.2 s), and long enough that each half holds a few hundred
	// answers for the steady-state check.
	openDuration = time.Second
	// nearSaturation is the warm-up of an open loop just under the
	// capacity: its queue settles over about 1/(mu (1 - sqrt(rho)))², which
	// at 90% and a few hundred jobs a second is most of a second.
	nearSaturation = time.Second
	// underloadDuration is the measured period of the open loops under the
	// capacity, which answer whether a strategy costs anything at normal
	// load: their goodput is the offered load by construction, so their
	// p99 is the test, and a p99 rests on the hundredth of the answers
	// that are slowest. A second at half of a few hundred a second holds
	// one or two of them; eight seconds hold about ten.
	underloadDuration = 8 * time.Second
)

// thumbs is the image workload of most scenarios: 128x128 thumbnails of the
// small images, a few milliseconds of CPU each.
var thumbs = Workload{Thumbnail(SmallImages, 128, 128)}

// catalog is the table of scenarios behind Scenarios and Lookup.
// Calibration comes first: the open-loop scenarios after it run at
// fractions of its goodput.
var catalog = []Scenario{
	{
		Name:        "seed-70",
		Description: "70 clients connect at once and each sends the image set once, as scripts/spam.sh does: a thundering herd",
		Loop:        ClosedLoop, Clients: 70, Inflight: 5, Jobs: 5,
		Workload: Workload{Thumbnail(WebImages, 128, 128)},
	},
	{
		Name:        CalibrationScenario,
		Description: "closed loop with 64 requests in flight, enough to keep every worker busy: the capacity",
		Loop:        ClosedLoop, Clients: 8, Inflight: 8, Warmup: warmup, Duration: duration,
		Workload: thumbs,
	},
	openAt(50, "latency without queueing"),
	openAt(90, "queueing begins"),
	openAt(120, "the backlog grows, or is shed"),
	openAt(200, "overload"),
	{
		Name:        "burst",
		Description: "idle, then 10x the capacity for 1 s, then idle: how far goroutines and heap grow, and whether they come back",
		Loop:        OpenLoop, Clients: 16, Inflight: 32, RateOfCapacity: 1,
		Shape:    []Phase{{For: 250 * time.Millisecond, Load: 0}, {For: time.Second, Load: 10}, {For: 500 * time.Millisecond, Load: 0}},
		Workload: thumbs,
	},
	{
		Name:        "slow-readers",
		Description: "a quarter of the clients wait 10 ms before reading each answer: the others must not notice",
		Loop:        ClosedLoop, Clients: 16, Inflight: 4, Warmup: warmup, Duration: duration,
		SlowReaders: 0.25, SlowReadDelay: 10 * time.Millisecond,
		Workload: thumbs,
	},
	{
		Name:        "mixed-sizes",
		Description: "one large image in ten among small ones: head-of-line blocking in the queue",
		Loop:        ClosedLoop, Clients: 8, Inflight: 2, Warmup: warmup, Duration: duration,
		Workload: Workload{
			{Op: core.OpThumbnail, Images: SmallImages, Arg1: 128, Arg2: 128, Weight: 9},
			{Op: core.OpThumbnail, Images: LargeImages, Arg1: 128, Arg2: 128, Weight: 1},
		},
	},
	{
		Name:        "cpu-bound",
		Description: "SPIN jobs of 1 ms, 64 in flight: CPU-bound work, where more goroutines than cores only add switching",
		Loop:        ClosedLoop, Clients: 16, Inflight: 4, Warmup: warmup, Duration: duration,
		Workload: Workload{Spin(time.Millisecond)},
	},
	{
		Name:        "io-bound",
		Description: "SLEEP jobs of 5 ms, 64 in flight: I/O-bound work, where a pool sized for the CPUs leaves them idle",
		Loop:        ClosedLoop, Clients: 16, Inflight: 4, Warmup: warmup, Duration: duration,
		Workload: Workload{Sleep(5 * time.Millisecond)},
	},
}

// openAt returns the open-loop scenario at pct percent of the capacity.
//
// Each sets its warm-up from where its queue settles: under the capacity
// it settles quickly far from it and slowly near it; over the capacity it
// fills, and FillQueue waits twice the time that takes at the excess rate.
func openAt(pct int, what string) Scenario {
	s := Scenario{
		Name:        fmt.Sprintf("open-%d", pct),
		Description: fmt.Sprintf("open loop at %d%% of the capacity: %s", pct, what),
		Loop:        OpenLoop, Clients: 16, Inflight: 16, RateOfCapacity: float64(pct) / 100,
		Warmup: warmup, Duration: openDuration,
		Workload: thumbs,
	}
	switch {
	case pct > 100:
		s.FillQueue = true
	case pct >= 80:
		s.Warmup = nearSaturation
	}
	if pct < 100 {
		s.Duration = underloadDuration
	}
	return s
}

// Scenarios returns the catalog, calibration before the open loops that
// need it. The slice and its scenarios are copies.
func Scenarios() []Scenario { return clones(catalog) }

// ScenarioNames returns the names of Scenarios, in table order.
func ScenarioNames() []string { return nameList(catalog) }

// Lookup returns the scenario called name, from the catalog, the model
// family or the overload family.
func Lookup(name string) (Scenario, error) {
	all := slices.Concat(catalog, modelCatalog, overloadCatalog)
	i := slices.IndexFunc(all, func(s Scenario) bool { return s.Name == name })
	if i < 0 {
		valid := slices.Concat(ScenarioNames(), ModelScenarioNames(), OverloadScenarioNames())
		return Scenario{}, fmt.Errorf("%w: unknown scenario %q (valid: %s)", ErrBadScenario, name, strings.Join(valid, ", "))
	}
	return all[i].clone(), nil
}

// clones returns copies of the scenarios of a table.
func clones(table []Scenario) []Scenario {
	out := make([]Scenario, len(table))
	for i, s := range table {
		out[i] = s.clone()
	}
	return out
}

// nameList returns the names of the scenarios of a table, in table order.
func nameList(table []Scenario) []string {
	out := make([]string, len(table))
	for i, s := range table {
		out[i] = s.Name
	}
	return out
}

// clone copies the slices of s, so that a caller may change its copy.
func (s Scenario) clone() Scenario {
	s.Shape = slices.Clone(s.Shape)
	s.Workload = slices.Clone(s.Workload)
	if s.Server != nil {
		srv := *s.Server
		s.Server = &srv
	}
	if s.Model != nil {
		m := *s.Model
		s.Model = &m
	}
	if s.Retry != nil {
		r := *s.Retry
		s.Retry = &r
	}
	return s
}
