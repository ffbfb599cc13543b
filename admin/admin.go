// Package admin serves a tcpimg server's operator endpoints over HTTP, on a
// listener of their own so that they can stay on a private address while
// the wire protocol faces clients:
//
//	/metrics       Prometheus metrics: the server's counters, the pool, the Go runtime
//	/debug/pprof/  net/http/pprof's profiles
//	/healthz       200 while the process serves
//	/readyz        200 while the server accepts work, 503 from the moment shutdown begins
//	/stats         the server's counters, goroutines and heap with their peaks, as JSON (see Stats)
//
// POST /stats/reset-peaks returns the same document and then starts the
// peaks again, so that a load generator can read one run's peaks.
//
// A balancer takes an instance out of rotation by its /readyz: the server
// calls SetDraining as soon as it is told to stop, then keeps serving for
// its drain delay before it closes its listener.
package admin

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/pprof"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/internal/procstat"
)

// Server serves the endpoints of one core.Server. New starts nothing;
// Serve runs; Shutdown stops.
type Server struct {
	srv      *core.Server
	started  time.Time
	draining atomic.Bool
	peaks    procstat.Peaks
	hs       *http.Server
	served   atomic.Bool
}

// New returns the endpoints of srv.
func New(srv *core.Server) *Server {
	a := &Server{srv: srv, started: time.Now()}
	a.hs = &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 5 * time.Second}
	return a
}

// Handler returns the endpoints on a mux of their own: nothing registered
// on http.DefaultServeMux is exposed.
func (a *Server) Handler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newCollector(a.srv), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.HandleFunc("GET /stats", a.stats)
	mux.HandleFunc("POST /stats/reset-peaks", a.resetPeaks)
	return mux
}

// SetDraining makes /readyz answer 503 from now on: the server is about
// to stop and should get no new work.
func (a *Server) SetDraining() { a.draining.Store(true) }

// Ready reports what /readyz says.
func (a *Server) Ready() bool { return !a.draining.Load() }

func (a *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	if !a.Ready() {
		http.Error(w, "draining", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}

// Serve serves the endpoints on ln and samples the runtime's peaks until
// Shutdown; it returns http.ErrServerClosed then. Call it once.
func (a *Server) Serve(ln net.Listener) error {
	if a.served.Swap(true) {
		return errors.New("admin: Serve called twice")
	}
	a.peaks.Start()
	defer a.peaks.Stop()
	return a.hs.Serve(ln)
}

// Shutdown stops serving, waiting for requests in progress until ctx ends
// (a CPU profile may take its whole duration).
func (a *Server) Shutdown(ctx context.Context) error {
	return a.hs.Shutdown(ctx)
}

// Close stops serving at once, cutting requests in progress.
func (a *Server) Close() error { return a.hs.Close() }
