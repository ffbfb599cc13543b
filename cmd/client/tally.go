package main

import (
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/tcpimg/tcpimg/core"
)

// maxRecordUS is the largest latency a histogram holds, in microseconds: the
// wire's queue_us and service_us fields are 32-bit, so nothing the server
// reports exceeds it. Longer client-side latencies are clamped.
const maxRecordUS = 1<<32 - 1

// tally collects what the receivers observe. One mutex guards it all: a
// receiver holds it for a few counter updates per response, far less than
// the response took to arrive.
type tally struct {
	mu         sync.Mutex
	byStatus   [core.NumStatus]int
	firstMsg   [core.NumStatus]string // first message per status, prefixed with the image name
	unexpected int
	latency    *hdrhistogram.Histogram // client side, every matched answer
	queue      *hdrhistogram.Histogram // server's queue_us, OK answers
	service    *hdrhistogram.Histogram // server's service_us, OK answers
}

func newTally() *tally {
	return &tally{
		latency: newHistogram(),
		queue:   newHistogram(),
		service: newHistogram(),
	}
}

// newHistogram returns a microsecond histogram with three significant
// digits, fine enough for p99 of sub-millisecond jobs.
func newHistogram() *hdrhistogram.Histogram { return hdrhistogram.New(1, maxRecordUS, 3) }

// record counts one answer to a job this client had sent.
func (t *tally) record(r *core.Response, image string, latency time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.byStatus[r.Status]++
	recordUS(t.latency, latency)
	if r.Status == core.StatusOK {
		recordUS(t.queue, r.Queue())
		recordUS(t.service, r.Service())
		return
	}
	if t.firstMsg[r.Status] == "" {
		t.firstMsg[r.Status] = image + ": " + r.Err().Error()
	}
}

// recordUnexpected counts a response whose job id was not outstanding.
func (t *tally) recordUnexpected() {
	t.mu.Lock()
	t.unexpected++
	t.mu.Unlock()
}

// recordUS records d in microseconds, clamped to the histogram's range.
func recordUS(h *hdrhistogram.Histogram, d time.Duration) {
	us := d.Microseconds()
	us = max(us, 0)
	us = min(us, maxRecordUS)
	_ = h.RecordValue(us) // cannot fail: us is within the histogram's range
}
