package harness

import (
	"sync"
	"time"

	"github.com/tcpimg/tcpimg/internal/procstat"
)

// SampleEvery is how often a run samples goroutines and heap.
const SampleEvery = procstat.SampleEvery

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
	readings := procstat.NewReader()
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

func (s *sampler) sample(readings *procstat.Reader) {
	x := readings.Read()
	s.series = append(s.series, Sample{At: time.Since(s.start), Goroutines: x.Goroutines, Heap: x.Heap})
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
