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
