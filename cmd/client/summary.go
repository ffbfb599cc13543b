package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// errJobsFailed is the run's error when some job was not answered OK.
var errJobsFailed = errors.New("jobs not answered OK")

// summary is the outcome of a batch, computed once every connection ended.
type summary struct {
	images, repeat, conns, inflight int
	jobs                            int // planned: images x repeat
	counts                          loadclient.Counts
	stranded                        int // sent, and waiting to be sent again when the batch ended
	denied                          int // refused or lost, and not retried: cap or budget spent
	reconnects                      int
	firstMsg                        [core.NumStatus]string
	elapsed                         time.Duration
}

func (s *summary) sent() int       { return int(s.counts.Sent) }
func (s *summary) answered() int   { return int(s.counts.Answered()) }
func (s *summary) ok() int         { return int(s.counts.Status[core.StatusOK]) }
func (s *summary) busy() int       { return int(s.counts.Status[core.StatusBusy]) }
func (s *summary) missing() int    { return int(s.counts.Lost) + s.stranded }
func (s *summary) retries() int    { return int(s.counts.Retries) }
func (s *summary) unexpected() int { return int(s.counts.Unexpected) }

// errored counts answers other than OK and BUSY.
func (s *summary) errored() int { return s.answered() - s.ok() - s.busy() }

func (s *summary) unsent() int { return s.jobs - s.sent() }

// imgsPerSecond is OK answers per second of wall time: refusals and errors
// are cheap for a server, so they would flatter the rate.
func (s *summary) imgsPerSecond() float64 {
	if s.elapsed <= 0 {
		return 0
	}
	return float64(s.ok()) / s.elapsed.Seconds()
}

// verdict returns nil when the run succeeded and an errJobsFailed saying why
// not otherwise. BUSY fails the run unless busyOK.
func (s *summary) verdict(busyOK bool) error {
	var why []string
	add := func(n int, what string) {
		if n > 0 {
			why = append(why, fmt.Sprintf("%d %s", n, what))
		}
	}
	if !busyOK {
		add(s.busy(), "BUSY")
	}
	add(s.errored(), "failed")
	add(s.missing(), "missing")
	add(s.unsent(), "unsent")
	add(s.unexpected(), "unexpected")
	if len(why) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", errJobsFailed, strings.Join(why, ", "))
}

// writeText prints the summary for people.
func (s *summary) writeText(w io.Writer) {
	fmt.Fprintf(w, "jobs %d (%d images x %d) over %d connections, %d in flight each\n",
		s.jobs, s.images, s.repeat, s.conns, s.inflight)
	var parts []string
	for st, n := range s.counts.Status {
		if n > 0 || core.Status(st) == core.StatusOK {
			parts = append(parts, fmt.Sprintf("%v %d", core.Status(st), n))
		}
	}
	fmt.Fprintf(w, "answered %d of %d sent: %s\n", s.answered(), s.sent(), strings.Join(parts, ", "))
	for st, msg := range s.firstMsg {
		if msg != "" {
			fmt.Fprintf(w, "  first %v: %s\n", core.Status(st), msg)
		}
	}
	fmt.Fprintf(w, "missing %d, unsent %d, unexpected %d\n", s.missing(), s.unsent(), s.unexpected())
	fmt.Fprintf(w, "retries %d (not retried: %d), reconnects %d\n", s.retries(), s.denied, s.reconnects)
	fmt.Fprintf(w, "%.1f images/s (OK answers) in %v\n", s.imgsPerSecond(), s.elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "latency p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
		quantileMS(s.counts.Latency, 0.50), quantileMS(s.counts.Latency, 0.99), quantileMS(s.counts.Latency, 1))
	fmt.Fprintf(w, "server queue p50 %.3f ms, service p50 %.3f ms\n",
		quantileMS(s.counts.Queue, 0.50), quantileMS(s.counts.Service, 0.50))
}

// writeLine prints the one line scripts parse: space-separated key=value
// pairs after the word "summary". Keys are only ever added, never renamed.
func (s *summary) writeLine(w io.Writer) {
	fmt.Fprintf(w, "summary jobs=%d sent=%d answered=%d ok=%d busy=%d errors=%d missing=%d unsent=%d unexpected=%d"+
		" imgs_per_s=%.1f p50_ms=%.3f p99_ms=%.3f queue_p50_ms=%.3f service_p50_ms=%.3f elapsed_s=%.3f"+
		" retries=%d retries_denied=%d reconnects=%d\n",
		s.jobs, s.sent(), s.answered(), s.ok(), s.busy(), s.errored(), s.missing(), s.unsent(), s.unexpected(),
		s.imgsPerSecond(), quantileMS(s.counts.Latency, 0.50), quantileMS(s.counts.Latency, 0.99),
		quantileMS(s.counts.Queue, 0.50), quantileMS(s.counts.Service, 0.50), s.elapsed.Seconds(),
		s.retries(), s.denied, s.reconnects)
}

// quantileMS returns the duration at quantile q (0..1, 1 for the maximum)
// in milliseconds.
func quantileMS(h loadclient.Histogram, q float64) float64 {
	return float64(h.Quantile(q)) / float64(time.Millisecond)
}
