package plot

import (
	"slices"
	"strings"

	"github.com/tcpimg/tcpimg/harness"
	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// strategiesOf returns the strategies present in rs: the registry's order
// first, then any other label (a remote target) alphabetically.
func strategiesOf(rs []*harness.Metrics) []string {
	present := map[string]bool{}
	for _, r := range rs {
		present[r.Strategy] = true
	}
	var out []string
	for _, s := range harness.Strategies() {
		if present[s] {
			out = append(out, s)
			delete(present, s)
		}
	}
	var rest []string
	for s := range present {
		rest = append(rest, s)
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// colorIndex gives each strategy a stable place in the palette, whatever
// subset of strategies a picture shows.
func colorIndex(strategy string) int {
	if i := slices.Index(harness.Strategies(), strategy); i >= 0 {
		return i
	}
	h := 0
	for _, c := range strategy {
		h = h*31 + int(c)
	}
	return len(harness.Strategies()) + max(h, -h)%7
}

// filter returns the runs of scenario by strategy.
func filter(rs []*harness.Metrics, scenario, strategy string) []*harness.Metrics {
	var out []*harness.Metrics
	for _, r := range rs {
		if r.Scenario == scenario && r.Strategy == strategy {
			out = append(out, r)
		}
	}
	return out
}

// openLoopScenarios returns the scenarios of rs that ran an open loop, in
// table order, then any other by name.
func openLoopScenarios(rs []*harness.Metrics) []string {
	var names []string
	for _, r := range rs {
		if r.Loop == harness.OpenLoop && !slices.Contains(names, r.Scenario) {
			names = append(names, r.Scenario)
		}
	}
	order := harness.ScenarioNames()
	rank := func(name string) int {
		if i := slices.Index(order, name); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortFunc(names, func(a, b string) int {
		if c := rank(a) - rank(b); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return names
}

// steady reports whether scenario runs an open loop at one rate: a point on
// the throughput curve (burst, with its shape, is not).
func steady(scenario string) bool {
	s, err := harness.Lookup(scenario)
	return err == nil && s.Loop == harness.OpenLoop && len(s.Shape) == 0
}

// mergedLatency returns the latency histogram of all of rs together.
func mergedLatency(rs []*harness.Metrics) loadclient.Histogram {
	h := loadclient.NewHistogram()
	for _, r := range rs {
		h.Add(r.Latency)
	}
	return h
}

// mean returns the mean of f over rs.
func mean(rs []*harness.Metrics, f func(*harness.Metrics) float64) float64 {
	if len(rs) == 0 {
		return 0
	}
	sum := 0.0
	for _, r := range rs {
		sum += f(r)
	}
	return sum / float64(len(rs))
}
