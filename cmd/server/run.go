package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"text/tabwriter"
	"time"

	"github.com/tcpimg/tcpimg/admin"
	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
)

// run serves until ctx ends, then shuts down within cfg.shutdownTimeout.
// stop, called once shutdown begins, restores default signal handling so a
// second signal ends the process at once. With a drain delay the server
// first reports itself not ready and keeps serving that long, so that a
// balancer polling /readyz moves new connections elsewhere before the
// listener closes. ready, if not nil, receives the listening address.
func run(ctx context.Context, cfg config, stop func(), logOut io.Writer, ready func(addr string)) error {
	log := newLogger(cfg, logOut)
	scfg := cfg.server
	scfg.Logger = log
	srv, err := strategies.NewServer(cfg.spec, scfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		srv.Close()
		return err
	}
	adm := admin.New(srv)
	if cfg.adminAddr != "" {
		stopAdmin, err := serveAdmin(cfg.adminAddr, adm, log)
		if err != nil {
			ln.Close()
			srv.Close()
			return fmt.Errorf("admin: %w", err)
		}
		defer stopAdmin()
	}
	ps, _ := srv.PoolStats()
	if procs := gomaxprocsFor(runtime.GOMAXPROCS(0), ps.Workers, cfg.ioProcs); procs != runtime.GOMAXPROCS(0) {
		runtime.GOMAXPROCS(procs)
	}
	log.Info("listening", "addr", ln.Addr().String(), "tls", tlsMode(cfg.server.TLS), "pool", cfg.spec.Pool, "workers", ps.Workers, "gomaxprocs", runtime.GOMAXPROCS(0),
		"queue", cfg.spec.QueueSize, "admission", cfg.server.Admission.String(), "admit", cfg.spec.Admit, "limiter", cfg.spec.Limiter,
		"max_conns", cfg.server.Limits.WithDefaults().MaxConns)
	if ready != nil {
		ready(ln.Addr().String())
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	select {
	case err := <-serveErr:
		srv.Close()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	stop()
	adm.SetDraining()
	if cfg.drainDelay > 0 {
		log.Info("draining", "delay", cfg.drainDelay.String())
		t := time.NewTimer(cfg.drainDelay)
		select {
		case <-t.C:
		case err := <-serveErr:
			t.Stop()
			srv.Close()
			return fmt.Errorf("serve: %w", err)
		}
	}
	log.Info("shutting down", "timeout", cfg.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	shutdownErr := srv.Shutdown(sctx)
	if shutdownErr != nil {
		unanswered := srv.Stats().InFlight
		srv.Close()
		shutdownErr = fmt.Errorf("%w: %d jobs unanswered", shutdownErr, unanswered)
	}
	if err := <-serveErr; !errors.Is(err, core.ErrServerClosed) {
		return errors.Join(shutdownErr, err)
	}
	st := srv.Stats()
	log.Info("stopped", "accepted", st.Accepted, "completed", st.Completed, "failed", st.Failed,
		"timed_out", st.TimedOut, "shed", st.Shed, "dropped", st.Dropped, "busy", st.Busy, "refused", st.Refused,
		"panics", st.Panics, "connections", st.Conns,
		"tls_handshakes_failed", st.HandshakesFailed, "tls_client_certs_refused", st.CertsRefused)
	return shutdownErr
}

// tlsMode says in the start-up line what the listener speaks.
func tlsMode(c *tls.Config) string {
	switch {
	case c == nil:
		return "off"
	case c.ClientAuth == tls.RequireAndVerifyClientCert:
		return "mutual"
	}
	return "on"
}

// serveAdmin serves adm on addr until the returned stop is called. The
// listener is opened before it returns, so a bad address is reported at
// start. stop waits up to 2 s for requests in progress, then cuts them (a
// CPU profile, say).
func serveAdmin(addr string, adm *admin.Server, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := adm.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("admin server stopped", "err", err)
		}
	}()
	log.Info("admin", "addr", ln.Addr().String(), "paths", "/metrics /debug/pprof/ /healthz /readyz /stats")
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if adm.Shutdown(sctx) != nil {
			adm.Close()
		}
		<-done
	}, nil
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.logLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// printStrategies writes the registry as a table.
func printStrategies(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "POOL\tBOUNDED\tDESCRIPTION")
	for _, e := range strategies.Pools() {
		fmt.Fprintf(tw, "%s\t%v\t%s\n", e.Name, e.Bounded, e.Description)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "LIMITER\tBOUNDED\tDESCRIPTION")
	for _, e := range strategies.Limiters() {
		fmt.Fprintf(tw, "%s\t%v\t%s\n", e.Name, e.Bounded, e.Description)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "ADMIT\tADAPTIVE\tDESCRIPTION")
	for _, e := range strategies.Admitters() {
		fmt.Fprintf(tw, "%s\t%v\t%s\n", e.Name, e.Adaptive, e.Description)
	}
	tw.Flush()
}

// maxIOProcs bounds -io-procs: the network needs a processor or two, not
// a core's worth each.
const maxIOProcs = 64

// gomaxprocsFor is the GOMAXPROCS the server runs with: at least workers +
// io. With no more processors than busy workers, a goroutine woken by the
// network waits until a worker's job blocks or is preempted (every 10 ms),
// and the poller itself is only consulted then; every request read and
// every answer written pays that wait, which at full load exceeds the
// service time. A spare processor lets the operating system's scheduler,
// which favours a thread that has just woken, run the network at once,
// sharing the cores with the workers. It never lowers the setting, and
// leaves it alone when the pool has no fixed workers or io is 0.
func gomaxprocsFor(current, workers, io int) int {
	if workers <= 0 || io <= 0 {
		return current
	}
	return max(current, workers+io)
}
