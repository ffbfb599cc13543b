package core_test

import (
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/tcpimg/tcpimg/core"
)

// driveConn keeps window requests in flight on one connection until n
// responses have come back, returning the sum of the server-reported
// service times and any error. Every request is the same header and
// payload; job ids count up.
func driveConn(addr string, n, window int, h core.RequestHeader, payload []byte) (time.Duration, error) {
	var service time.Duration
	err := drive(addr, n, window, h, payload, func(r *core.Response) { service += r.Service() })
	return service, err
}

func drive(addr string, n, window int, h core.RequestHeader, payload []byte, seen func(*core.Response)) error {
	c, err := core.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	slots := make(chan struct{}, window)
	sendErr := make(chan error, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := range n {
			select {
			case slots <- struct{}{}:
			case <-stop:
				sendErr <- nil
				return
			}
			h.JobID = uint64(i)
			if err := c.SendBuffered(h, payload); err != nil {
				sendErr <- err
				return
			}
			if len(slots) == window || i == n-1 {
				if err := c.Flush(); err != nil {
					sendErr <- err
					return
				}
			}
		}
		sendErr <- c.Flush()
	}()
	buf := make([]byte, len(payload)+1024)
	for range n {
		r, err := c.RecvInto(buf)
		if err != nil {
			return err
		}
		if r.Status != core.StatusOK {
			return r.Err()
		}
		seen(&r)
		<-slots
	}
	return <-sendErr
}

func benchServer(b *testing.B, cfg core.Config) string {
	b.Helper()
	cfg.Logger = slog.New(slog.DiscardHandler)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv, err := core.NewServer(cfg)
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// BenchmarkServerOverhead measures what the server costs around CPU-bound
// jobs: SPIN jobs of 2 ms on 2 workers, 64 requests in flight. Two workers
// can at best complete workers / job-time jobs a second (1,000/s if each
// job takes exactly 2 ms); efficiency is the fraction of that reached,
// with the job time the server itself reports (service time), so that a
// SPIN that runs a little long on this CPU (shared caches, SMT siblings)
// is not charged to the server. nominal-efficiency uses 2 ms instead.
func BenchmarkServerOverhead(b *testing.B) {
	const workers, spin = 2, 2 * time.Millisecond
	addr := benchServer(b, core.Config{Pool: chanPool(workers, 128)})
	h := core.RequestHeader{Op: core.OpSpin, Arg1: uint32(spin.Microseconds())}
	b.ResetTimer()
	start := time.Now()
	service, err := driveConn(addr, b.N, 64, h, nil)
	if err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	rate := float64(b.N) / elapsed.Seconds()
	mean := service.Seconds() / float64(b.N)
	b.ReportMetric(rate, "jobs/s")
	b.ReportMetric(mean*1e6, "service-us")
	b.ReportMetric(rate/(workers/mean), "efficiency")
	b.ReportMetric(rate/(workers/spin.Seconds()), "nominal-efficiency")
}

// BenchmarkTransport compares NOOP round trips of 64 KiB payloads through
// the server with a minimal framed echo server (read the header and the
// payload, write them back) driven by the same client: the ratio of their
// req/s is what the pool, the reader/writer split and the bookkeeping cost
// (or save, by batching writes).
func BenchmarkTransport(b *testing.B) {
	payload := make([]byte, 64<<10)
	for i := range payload {
		payload[i] = byte(i)
	}
	servers := []struct {
		name  string
		start func(b *testing.B) string
	}{
		{"echo", startEcho},
		{"tcpimg", func(b *testing.B) string { return benchServer(b, core.Config{}) }},
	}
	for _, s := range servers {
		b.Run("server="+s.name, func(b *testing.B) {
			addr := s.start(b)
			b.SetBytes(int64(len(payload)))
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			if _, err := driveConn(addr, b.N, 64, core.RequestHeader{Op: core.OpNoop}, payload); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
}

// startEcho runs the reference: one goroutine per connection reading a
// frame and writing it back as a response, nothing else.
func startEcho(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	conns := make(chan net.Conn, 16)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- c
			wg.Add(1)
			go func() {
				defer wg.Done()
				echo(c)
			}()
		}
	}()
	b.Cleanup(func() {
		ln.Close()
		for len(conns) > 0 {
			(<-conns).Close()
		}
		wg.Wait()
	})
	return ln.Addr().String()
}

func echo(c net.Conn) {
	defer c.Close()
	var hdr [core.HeaderSize]byte
	buf := make([]byte, 0, 1<<20)
	for {
		h, p, err := core.ReadRequest(c, 32<<20, buf)
		if err != nil {
			return
		}
		core.PutResponseHeader(hdr[:], &core.ResponseHeader{JobID: h.JobID, Length: uint32(len(p))})
		bufs := net.Buffers{hdr[:], p}
		if _, err := bufs.WriteTo(c); err != nil {
			return
		}
	}
}
