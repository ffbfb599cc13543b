package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"text/tabwriter"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
)

// run serves until ctx ends, then shuts down within cfg.shutdownTimeout.
// stop, called once shutdown begins, restores default signal handling so a
// second signal ends the process at once. ready, if not nil, receives the
// listening address.
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
	if cfg.metricsAddr != "" {
		stopMetrics, err := serveMetrics(cfg.metricsAddr, srv, log)
		if err != nil {
			ln.Close()
			srv.Close()
			return fmt.Errorf("metrics: %w", err)
		}
		defer stopMetrics()
	}
	ps, _ := srv.PoolStats()
	log.Info("listening", "addr", ln.Addr().String(), "pool", cfg.spec.Pool, "workers", ps.Workers,
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
		"panics", st.Panics, "connections", st.Conns)
	return shutdownErr
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
