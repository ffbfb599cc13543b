package harness

import "time"

// SequenceNames returns the cycle of requests w sends, each as the name of
// its image, or of its op when it sends none.
func SequenceNames(w Workload, lib *Library) ([]string, error) {
	seq, err := newSequence(w, lib)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(seq))
	for i, r := range seq {
		names[i] = r.h.Op.String()
		for _, img := range lib.Images {
			if len(r.payload) > 0 && &img.Data[0] == &r.payload[0] {
				names[i] = img.Name
			}
		}
	}
	return names, nil
}

// FillWarmup is Generator.fillWarmup.
func (g *Generator) FillWarmup(s Scenario, rate, capacity float64) time.Duration {
	return g.fillWarmup(s, rate, capacity)
}

// AddCalibration is Runner.addCalibration.
func (r *Runner) AddCalibration(strategy string, perSecond float64) {
	r.addCalibration(strategy, perSecond)
}

// Draws returns n lengths of a job of mean mean µs drawn by d from the
// stream of seed a connection would use.
func Draws(d Dist, seed uint64, mean uint32, n int) []uint32 {
	r := newDraw(seed, 0)
	out := make([]uint32, n)
	for i := range out {
		out[i] = d.draw(r, mean)
	}
	return out
}

// ModelWait is the model family's G/G/c wait.
var ModelWait = modelWait

// FitSeries fits a model of workers servers to measured series, as a run
// does: gaps between arrivals, and per answer in arrival order its queue
// wait, service time and time in the server, all in seconds.
func FitSeries(workers int, gaps, waits, services, sojourns []float64) *ModelFit {
	f := &ModelFit{Workers: workers}
	f.Invalid = f.fit(gaps, waits, services, sojourns)
	return f
}

// Resolved is ServerConfig.resolved.
func (c ServerConfig) Resolved() ServerConfig { return c.resolved() }
