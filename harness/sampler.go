package harness

import (
	"runtime/metrics"
	"sync"
	"time"
)

// SampleEvery is how often a run samples goroutines and heap. Reading two
// runtime/metrics values takes about a microsecond, so sampling costs the
// server nothing it would notice.
const SampleEvery = 10 * time.Millisecond

// The runtime/metrics the sampler reads.
const (
	runtimeGoroutines = "/sched/goroutines:goroutines"
	runtimeHeap       = "/memory/classes/heap/objects:bytes"
)

// sampler records the process's goroutines and heap every SampleEvery
// until stopped.
type sampler struct {
	start   time.Time
	stopped chan struct{}
	done    sync.WaitGroup
	series  []Sample
}

func startSampler() *sampler {
	s := &sampler{start: time.Now(), stopped: make(chan struct{})}
	s.done.Go(s.loop)
	return s
}

func (s *sampler) loop() {
	readings := []metrics.Sample{{Name: runtimeGoroutines}, {Name: runtimeHeap}}
	tick := time.NewTicker(SampleEvery)
	defer tick.Stop()
	for {
		s.sample(readings)
		select {
		case <-tick.C:
		case <-s.stopped:
			s.sample(readings)
			return
		}
	}
}

func (s *sampler) sample(readings []metrics.Sample) {
	metrics.Read(readings)
	s.series = append(s.series, Sample{
		At:         time.Since(s.start),
		Goroutines: int(readings[0].Value.Uint64()),
		Heap:       readings[1].Value.Uint64(),
	})
}

// stop ends sampling and returns the series with its peaks.
func (s *sampler) stop() (series []Sample, peakGoroutines int, peakHeap uint64) {
	close(s.stopped)
	s.done.Wait()
	for _, p := range s.series {
		peakGoroutines = max(peakGoroutines, p.Goroutines)
		peakHeap = max(peakHeap, p.Heap)
	}
	return s.series, peakGoroutines, peakHeap
}
