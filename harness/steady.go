package harness

import (
	"fmt"
	"math"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// SteadyCheck compares the two halves of a run's measured period. A run in
// steady state delivers the same goodput and sheds the same share in both;
// a run whose queue was still filling, or draining, does not.
type SteadyCheck struct {
	OK bool `json:"ok"`
	// Goodput and BusyShare are the two halves' figures: OK answers per
	// half, and the share of answers that were BUSY.
	Goodput   [2]uint64  `json:"goodput"`
	BusyShare [2]float64 `json:"busy_share"`
	// ServiceMS is the mean service time of an OK answer in each half, in
	// milliseconds (0 for a half without one).
	ServiceMS [2]float64 `json:"service_ms"`
	// SpeedChanged says that the mean service time differed between the
	// halves by more than steadySpeed, each half holding at least
	// steadySpeedAnswers OK answers: the server itself worked at another
	// speed, whether its queue was steady or not. On a shared machine the
	// same work can take a third longer for seconds at a time, while other
	// tenants use the memory bus, so a run that fails the check with this
	// set says more about the machine than about the strategy.
	SpeedChanged bool `json:"speed_changed,omitempty"`
	// Why says what differed, when OK is false or SpeedChanged is set.
	Why string `json:"why,omitempty"`
}

// The steady-state tolerances. A difference between the halves fails the
// check only when it is both larger than chance allows (more than
// steadyZ standard errors, for counts that vary like Poisson counts) and
// larger than matters (steadyRel of goodput, steadyShare of the BUSY
// share), so that a long run does not fail on a real but negligible
// drift, nor a short one on noise.
const (
	steadyZ     = 3
	steadyRel   = 0.05
	steadyShare = 0.02
	// steadySpeed is four or five standard errors of the mean service
	// time of a half of a few hundred thumbnails, whose times vary by
	// about a third around their mean.
	steadySpeed = 0.10
	// steadySpeedAnswers is the fewest OK answers per half that the
	// speed is judged on.
	steadySpeedAnswers = 100
)

// CheckSteady compares the halves of w's bins. A window without bins, or
// with an odd number, is split at its middle bin.
func CheckSteady(w *loadclient.Window) *SteadyCheck {
	var halves [2][core.NumStatus]uint64
	var serviceUS [2]uint64
	n := len(w.Bins)
	for i, b := range w.Bins {
		h := 0
		if 2*i >= n {
			h = 1
		}
		for st, c := range b.Status {
			halves[h][st] += c
		}
		serviceUS[h] += b.OKServiceUS
	}
	c := &SteadyCheck{OK: true}
	var answered [2]uint64
	for h := range halves {
		c.Goodput[h] = halves[h][core.StatusOK]
		for _, x := range halves[h] {
			answered[h] += x
		}
		c.BusyShare[h] = perOp(halves[h][core.StatusBusy], answered[h])
		if ok := halves[h][core.StatusOK]; ok > 0 {
			c.ServiceMS[h] = float64(serviceUS[h]) / float64(ok) / 1e3
		}
	}
	g1, g2 := float64(c.Goodput[0]), float64(c.Goodput[1])
	if sum := g1 + g2; sum > 0 {
		z := math.Abs(g1-g2) / math.Sqrt(sum)
		rel := math.Abs(g1-g2) / (sum / 2)
		if z > steadyZ && rel > steadyRel {
			c.OK = false
			c.Why = fmt.Sprintf("goodput %0.f then %0.f per half (%+.1f%%)", g1, g2, 100*(g2-g1)/(sum/2))
		}
	}
	a1, a2 := float64(answered[0]), float64(answered[1])
	if a1 > 0 && a2 > 0 {
		p1, p2 := c.BusyShare[0], c.BusyShare[1]
		p := (p1*a1 + p2*a2) / (a1 + a2)
		se := math.Sqrt(p * (1 - p) * (1/a1 + 1/a2))
		if d := math.Abs(p1 - p2); d > steadyShare && (se == 0 || d/se > steadyZ) {
			c.OK = false
			c.Why = joinWhy(c.Why, fmt.Sprintf("BUSY share %.1f%% then %.1f%%", 100*p1, 100*p2))
		}
	}
	s1, s2 := c.ServiceMS[0], c.ServiceMS[1]
	enough := min(c.Goodput[0], c.Goodput[1]) >= steadySpeedAnswers
	if enough && s1 > 0 && s2 > 0 && math.Abs(s1-s2)/((s1+s2)/2) > steadySpeed {
		c.SpeedChanged = true
		c.Why = joinWhy(c.Why, fmt.Sprintf("service time %.2f then %.2f ms per OK answer: the server's speed changed", s1, s2))
	}
	return c
}

func joinWhy(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
