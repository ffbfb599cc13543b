package core_test

import (
	"fmt"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
)

// BenchmarkStuckReader measures what a client that never reads costs the
// others: their NOOP latency with no stuck client (stuck=0) and with one
// whose window of large answers is stuck in the socket buffers (stuck=1).
// The write timeout is long, so the stuck client stays stuck for the whole
// run. benchstat shows the p99 ratio between the two; ~1 is the promise of
// PROTOCOL.md's in-flight window.
func BenchmarkStuckReader(b *testing.B) {
	const (
		conns  = 4
		window = 8
	)
	for _, stuck := range []int{0, 1} {
		b.Run(fmt.Sprintf("stuck=%d", stuck), func(b *testing.B) {
			h := newHook(stuckBig)
			b.Cleanup(func() { h.abOnce.Do(func() { close(h.abort) }) })
			srv, err := core.NewServer(core.Config{
				Pool:    chanPool(2, core.DefaultQueueSize),
				Process: h.process,
				Logger:  slog.New(slog.DiscardHandler),
				Limits:  core.Limits{WriteTimeout: 10 * time.Minute},
			})
			if err != nil {
				b.Fatal(err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			go srv.Serve(ln)
			b.Cleanup(func() { srv.Close() })
			addr := ln.Addr().String()
			if stuck == 1 {
				c, err := core.Dial(addr)
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				for i := range 1000 {
					c.SendBuffered(marked(uint64(i), markBig), nil)
				}
				if err := c.Flush(); err != nil {
					b.Fatal(err)
				}
				// A full window of big answers cannot fit in the socket
				// buffers: from here on the client is stuck.
				require.Eventually(b, func() bool { return h.bigRuns.Load() >= core.DefaultMaxInflight },
					10*time.Second, time.Millisecond)
			}
			hist := hdrhistogram.New(1, int64(10*time.Second), 3)
			b.ResetTimer()
			start := time.Now()
			if err := latencyLoad(addr, b.N, conns, window, hist); err != nil {
				b.Fatal(err)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(hist.ValueAtQuantile(50)), "p50-ns")
			b.ReportMetric(float64(hist.ValueAtQuantile(99)), "p99-ns")
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
		})
	}
}

// latencyLoad sends n NOOPs over conns connections, each keeping window
// requests in flight, and records each request's round trip in hist.
func latencyLoad(addr string, n, conns, window int, hist *hdrhistogram.Histogram) error {
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs = make(chan error, conns)
	)
	payload := make([]byte, 1024)
	for i := range conns {
		share := n / conns
		if i < n%conns {
			share++
		}
		wg.Go(func() {
			lat, err := pipelined(addr, share, window, payload)
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			for _, d := range lat {
				hist.RecordValue(int64(d))
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// pipelined runs n NOOP round trips on one connection with window in
// flight and returns their latencies.
func pipelined(addr string, n, window int, payload []byte) ([]time.Duration, error) {
	c, err := core.Dial(addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var mu sync.Mutex // the race detector cannot see that an answer follows its request
	sent := make([]time.Time, n)
	lat := make([]time.Duration, 0, n)
	slots := make(chan struct{}, window)
	sendErr := make(chan error, 1)
	go func() {
		for i := range n {
			slots <- struct{}{}
			mu.Lock()
			sent[i] = time.Now()
			mu.Unlock()
			if err := c.Send(core.RequestHeader{Op: core.OpNoop, JobID: uint64(i)}, payload); err != nil {
				sendErr <- err
				return
			}
		}
		sendErr <- nil
	}()
	buf := make([]byte, len(payload)+core.MaxMessage)
	for range n {
		r, err := c.RecvInto(buf)
		if err != nil {
			return nil, err
		}
		if err := r.Err(); err != nil {
			return nil, err
		}
		mu.Lock()
		lat = append(lat, time.Since(sent[r.JobID]))
		mu.Unlock()
		<-slots
	}
	return lat, <-sendErr
}
