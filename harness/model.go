package harness

import (
	"fmt"
	"math"
	"time"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness/queueing"
)

// ModelCheck asks a run to compare its queue waits with queueing theory's
// (see [ModelFit]).
type ModelCheck struct {
	// Tolerance is how far the measured mean wait may be from the model's,
	// relative to it (0.1 is 10%), for the check to pass. It is judged on
	// the estimate pooled over repetitions ([PoolModel]).
	Tolerance float64
}

// ModelBatches is how many batches a run's waits are cut into for their
// batch-means interval. Ten batches of a run of thousands of arrivals are
// each far longer than the waits' correlation time, even at utilisation
// 0.9, and pooled over a few repetitions they give enough degrees of
// freedom.
const ModelBatches = 10

// ModelFit is one run compared with the queueing model of it. Every input
// of the model is what the run measured, not what the scenario asked for:
// the arrival rate and the variability of the gaps between the requests
// as they were written (timers bunch them), and the service times the
// server reported (a SLEEP overshoots). The model is Allen-Cunneen's
// G/G/c wait (queueing.WaitGGc) with Cosmetatos's correction for service
// less variable than exponential (see modelWait). Times are in seconds.
type ModelFit struct {
	// Workers is the model's c.
	Workers int `json:"workers"`
	// Arrivals counts the requests written in the measured period.
	Arrivals int `json:"arrivals"`
	// ArrivalRate is Arrivals per second, from their send times; ArrivalSCV
	// is the squared coefficient of variation of the gaps between them.
	ArrivalRate float64 `json:"arrival_rate"`
	ArrivalSCV  float64 `json:"arrival_scv"`
	// Service is the mean service time the server reported for the OK
	// answers, ServiceSCV its squared coefficient of variation.
	Service    float64 `json:"service"`
	ServiceSCV float64 `json:"service_scv"`
	// Utilisation is ArrivalRate * Service / Workers.
	Utilisation float64 `json:"utilisation"`
	// Wait is the mean queue wait the server reported (queue_us) for the
	// OK answers; WaitHalf is the half-width of its 95% interval, by batch
	// means over the waits in arrival order, of Batches batches.
	Wait     float64 `json:"wait"`
	WaitHalf float64 `json:"wait_half"`
	Batches  int     `json:"batches"`
	// ModelWait is the model's mean queue wait for the measured inputs.
	ModelWait float64 `json:"model_wait"`
	// Sojourn is the mean time in the server (queue wait plus service) of
	// the OK answers: the W of Little's law.
	Sojourn float64 `json:"sojourn"`
	// Occupancy is the time-average number of requests in the server (the
	// L of Little's law), from OccupancySamples samples of the server's
	// count of jobs in flight; 0 samples when the server was out of reach.
	Occupancy        float64 `json:"occupancy"`
	OccupancySamples int     `json:"occupancy_samples"`
	// Tolerance is the scenario's ModelCheck.Tolerance.
	Tolerance float64 `json:"tolerance"`
	// Invalid, when not empty, says why the run says nothing of the model:
	// a BUSY answer (the queue shed, so the system was not M/./c), too
	// few arrivals, or a load at or past saturation.
	Invalid string `json:"invalid,omitempty"`
}

// WaitRatio is the measured mean wait over the model's: 1 is a perfect fit.
func (f *ModelFit) WaitRatio() float64 { return f.Wait / f.ModelWait }

// LittleRatio is the sampled occupancy over Little's law's (arrival rate
// times sojourn): 1 when the harness's clocks agree with the server's
// count. 0 when the occupancy was not sampled.
func (f *ModelFit) LittleRatio() float64 {
	l := queueing.LittleL(f.ArrivalRate, f.Sojourn)
	if f.OccupancySamples == 0 || l <= 0 {
		return 0
	}
	return f.Occupancy / l
}

// figures returns the model's benchmark figures: the measured and model
// waits in ms with the measured wait's half-width (what pooling needs),
// their ratio, Little's ratio, and the measured inputs.
func (f *ModelFit) figures() []Figure {
	if f.Invalid != "" {
		return nil
	}
	fs := []Figure{
		{f.Wait * 1e3, "wait-ms"},
		{f.ModelWait * 1e3, "model-wait-ms"},
		{f.WaitHalf * 1e3, "wait-ci-ms"},
		{f.WaitRatio(), "wait-vs-model"},
	}
	if f.OccupancySamples > 0 {
		fs = append(fs, Figure{f.LittleRatio(), "little-vs-model"})
	}
	return append(fs,
		Figure{f.Utilisation, "rho"},
		Figure{f.ArrivalSCV, "arrival-scv"},
		Figure{f.ServiceSCV, "service-scv"},
	)
}

// fitModel compares the traced requests of a run of s with the model. m
// holds the run's counts.
func fitModel(s Scenario, m *Metrics, traces []*connTrace) *ModelFit {
	f := &ModelFit{Workers: s.Server.Workers, Tolerance: s.Model.Tolerance}
	reqs := arrivals(traces)
	f.Arrivals = len(reqs)
	if busy := m.Status[core.StatusBusy]; busy > 0 {
		f.Invalid = fmt.Sprintf("%d BUSY answers: the queue shed", busy)
		return f
	}
	if len(reqs) < 4 {
		f.Invalid = fmt.Sprintf("%d arrivals, want at least 4", len(reqs))
		return f
	}
	gaps := make([]float64, 0, len(reqs)-1)
	for i := 1; i < len(reqs); i++ {
		gaps = append(gaps, reqs[i].sent.Sub(reqs[i-1].sent).Seconds())
	}
	var waits, services, sojourns []float64
	for _, q := range reqs {
		if q.answered && q.status == core.StatusOK {
			waits = append(waits, q.queue.Seconds())
			services = append(services, q.service.Seconds())
			sojourns = append(sojourns, (q.queue + q.service).Seconds())
		}
	}
	f.Invalid = f.fit(gaps, waits, services, sojourns)
	return f
}

// fit fills f from the measured series, waits in arrival order, and
// returns why they do not fit a model, or "".
func (f *ModelFit) fit(gaps, waits, services, sojourns []float64) string {
	ga, sv := queueing.MomentsOf(gaps), queueing.MomentsOf(services)
	if ga.Mean <= 0 || sv.Mean <= 0 {
		return "no time between arrivals, or no service"
	}
	f.ArrivalRate, f.ArrivalSCV = 1/ga.Mean, ga.SCV
	f.Service, f.ServiceSCV = sv.Mean, sv.SCV
	f.Utilisation = f.ArrivalRate * f.Service / float64(f.Workers)
	f.Sojourn = queueing.MomentsOf(sojourns).Mean
	iv, err := queueing.BatchMeans(waits, min(ModelBatches, len(waits)/2))
	if err != nil {
		return err.Error()
	}
	f.Wait, f.WaitHalf, f.Batches = iv.Mean, iv.Half, min(ModelBatches, len(waits)/2)
	mw, err := modelWait(f.Workers, f.ArrivalRate, f.Service, f.ArrivalSCV, f.ServiceSCV)
	if err != nil {
		return err.Error()
	}
	f.ModelWait = mw
	return ""
}

// modelWait is the mean queue wait of a G/G/c queue: Allen-Cunneen's
// approximation, corrected when the service is less variable than
// exponential. Allen-Cunneen scales the M/M/c wait by (ca2+cs2)/2, which
// is exact for M/M/c but, for c > 1, falls short of M/D/c's wait by the
// factor Cosmetatos's approximation restores (5% at utilisation 0.5 on
// two servers, under 1% at 0.9). The correction is weighted by 1-cs2, so
// that it is whole for deterministic service, vanishes for exponential
// service, and the model is continuous between: the md family's service
// is deterministic plus a SLEEP's timer jitter, cs2 a few thousandths.
func modelWait(c int, lambda, s, ca2, cs2 float64) (float64, error) {
	w, err := queueing.WaitGGc(c, lambda, s, ca2, cs2)
	if err != nil || cs2 >= 1 {
		return w, err
	}
	md, err := queueing.WaitMDc(c, lambda, s)
	if err != nil {
		return 0, err
	}
	mm, err := queueing.WaitMMc(c, lambda, s)
	if err != nil {
		return 0, err
	}
	cosmetatos := md / (mm / 2)
	return w * (1 + (1-cs2)*(cosmetatos-1)), nil
}

// occupancy samples a server's count of jobs in flight (accepted, not yet
// finished: queued or in service) at random moments, for the L of Little's
// law. Gaps are exponential, so that the samples do not lock onto a
// period of the load; their mean is then the time-average.
type occupancy struct {
	stop    chan struct{}
	done    chan struct{}
	samples []occupancySample
}

type occupancySample struct {
	at       time.Time
	inFlight int64
}

// OccupancyEvery is the mean gap between two samples of a server's jobs
// in flight.
const OccupancyEvery = 2 * time.Millisecond

// startOccupancy samples srv until stopped, with gaps drawn from seed.
func startOccupancy(srv *core.Server, seed uint64) *occupancy {
	o := &occupancy{stop: make(chan struct{}), done: make(chan struct{})}
	r := newDraw(seed, occupancyStream)
	go func() {
		defer close(o.done)
		t := time.NewTimer(0)
		defer t.Stop()
		for {
			select {
			case <-t.C:
			case <-o.stop:
				return
			}
			o.samples = append(o.samples, occupancySample{time.Now(), srv.Stats().InFlight})
			t.Reset(time.Duration(r.ExpFloat64() * float64(OccupancyEvery)))
		}
	}()
	return o
}

// occupancyStream is the PCG stream of the occupancy sampler's gaps.
const occupancyStream = 1<<63 + 1

// end stops sampling.
func (o *occupancy) end() {
	close(o.stop)
	<-o.done
}

// mean returns the mean of the samples taken in [from, to), and their
// number. Call it after end.
func (o *occupancy) mean(from, to time.Time) (mean float64, n int) {
	var sum float64
	for _, s := range o.samples {
		if !s.at.Before(from) && s.at.Before(to) {
			sum += float64(s.inFlight)
			n++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return sum / float64(n), n
}

// finite reports whether x is a number, for pooling records that may hold
// a failed fit.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
