// Package procstat reads the two numbers by which tcpimg judges a process
// under load, its goroutines and its live heap, and keeps their peaks, so
// that the harness (in process) and the server's admin endpoint (out of
// process) measure them the same way.
package procstat

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// SampleEvery is how often a Peaks samples. Reading a runtime/metrics
// values takes about a microsecond, so sampling costs nothing a server
// would notice.
const SampleEvery = 10 * time.Millisecond

// Metric names read.
const (
	metricHeap = "/memory/classes/heap/objects:bytes"
)

// Reading is one sample.
type Reading struct {
	Goroutines int
	Heap       uint64 // bytes in heap objects, live or not yet swept
}

// Reader reads samples; it allocates nothing per Read. A Reader is not
// safe for concurrent use.
type Reader struct{ samples []metrics.Sample }

// NewReader returns a Reader.
func NewReader() *Reader {
	return &Reader{samples: []metrics.Sample{{Name: metricHeap}}}
}

// Read takes one sample.
//
// Goroutines are counted as runtime.NumGoroutine counts them, without the
// runtime's own (GC workers and the like, which runtime/metrics includes
// and which appear after a process's first collections): a count that
// grew by those would read as a leak.
func (r *Reader) Read() Reading {
	metrics.Read(r.samples)
	return Reading{Goroutines: runtime.NumGoroutine(), Heap: r.samples[0].Value.Uint64()}
}

// Peaks samples every SampleEvery from Start until Stop and keeps the
// highest readings since it started or was last Reset. It is safe for
// concurrent use.
type Peaks struct {
	mu    sync.Mutex
	now   Reading
	peak  Reading
	since time.Time

	stop chan struct{}
	done chan struct{}
}

// Start begins sampling. Call Stop to end it.
func (p *Peaks) Start() {
	p.Reset()
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go p.loop()
}

// Stop ends sampling and waits for the sampler to exit.
func (p *Peaks) Stop() {
	close(p.stop)
	<-p.done
}

func (p *Peaks) loop() {
	defer close(p.done)
	r := NewReader()
	tick := time.NewTicker(SampleEvery)
	defer tick.Stop()
	for {
		p.record(r.Read())
		select {
		case <-tick.C:
		case <-p.stop:
			return
		}
	}
}

func (p *Peaks) record(x Reading) {
	p.mu.Lock()
	p.now = x
	p.peak.Goroutines = max(p.peak.Goroutines, x.Goroutines)
	p.peak.Heap = max(p.peak.Heap, x.Heap)
	p.mu.Unlock()
}

// Get returns the latest reading, the peaks, and since when the peaks
// were kept.
func (p *Peaks) Get() (now, peak Reading, since time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.now, p.peak, p.since
}

// Reset starts the peaks again from a fresh reading.
func (p *Peaks) Reset() {
	x := NewReader().Read()
	p.mu.Lock()
	p.now, p.peak, p.since = x, x, time.Now()
	p.mu.Unlock()
}
