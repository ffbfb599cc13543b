package core

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("tcpimg: server closed")

// Server serves protocol version 1 on any number of listeners. Build it with
// NewServer, run it with Serve, stop it with Shutdown (draining) or Close
// (immediate).
type Server struct {
	cfg     Config
	pool    Pool
	admit   Admitter // nil: no admission limit
	limiter Limiter
	log     *slog.Logger
	stats   counters
	memory  *semaphore.Weighted // request payload bytes held (Limits.MaxMemory)

	// One line a second at most per kind of TLS refusal.
	handshakeLog, certLog logLimiter

	// echoNoop lets NOOP reuse the request buffer as the response; only
	// with the default Process, so an injected one sees every op.
	echoNoop bool

	baseCtx      context.Context // ends on Close: unstarted jobs are dropped
	closeAll     context.CancelFunc
	acceptCtx    context.Context // ends when Shutdown or Close begins
	stopAccept   context.CancelFunc
	shuttingDown atomic.Bool

	mu        sync.Mutex
	listeners map[*net.Listener]struct{}
	conns     map[*conn]struct{}
	connWG    sync.WaitGroup
	serveWG   sync.WaitGroup

	stopOnce sync.Once     // closes drained
	drained  chan struct{} // closed when every connection and the pool are done
}

// NewServer returns a server configured by cfg. It starts nothing but the
// pool's workers. A Config that fails [Config.Validate] is an error (a
// *ConfigError naming the setting); the server then owns nothing, and a
// Pool given in cfg has been shut down, as the server would have done.
func NewServer(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		if cfg.Pool != nil {
			cfg.Pool.Shutdown(context.Background())
		}
		return nil, fmt.Errorf("tcpimg: %w", err)
	}
	echo := cfg.Process == nil
	cfg = cfg.withDefaults()
	spinRate() // calibrate SPIN now rather than in the first job
	s := &Server{
		cfg:       cfg,
		pool:      cfg.Pool,
		admit:     cfg.Admit,
		limiter:   cfg.NewLimiter(cfg.Limits.MaxConns),
		log:       cfg.Logger,
		echoNoop:  echo,
		memory:    semaphore.NewWeighted(cfg.Limits.MaxMemory),
		listeners: make(map[*net.Listener]struct{}),
		conns:     make(map[*conn]struct{}),
		drained:   make(chan struct{}),
	}
	s.baseCtx, s.closeAll = context.WithCancel(context.Background())
	s.acceptCtx, s.stopAccept = context.WithCancel(s.baseCtx)
	return s, nil
}

// Stats returns a consistent snapshot of the server's counters.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// PoolStats returns the counters of the server's pool, and false when the
// pool does not report them (it lacks [StatsPool]).
func (s *Server) PoolStats() (PoolStats, bool) {
	if sp, ok := s.pool.(StatsPool); ok {
		return sp.Stats(), true
	}
	return PoolStats{}, false
}

// Serve accepts connections on ln until Shutdown or Close, holding a slot
// of the connection limiter for each connection served; while every slot is
// taken, it does not accept. Serve always returns a non-nil error: after
// Shutdown or Close it is ErrServerClosed. It closes ln when it returns.
func (s *Server) Serve(ln net.Listener) error {
	if !s.trackListener(&ln, true) {
		ln.Close()
		return ErrServerClosed
	}
	defer s.trackListener(&ln, false)
	defer ln.Close()
	var backoff time.Duration
	for {
		if err := s.limiter.Acquire(s.acceptCtx); err != nil {
			return ErrServerClosed
		}
		nc, err := ln.Accept()
		if err != nil {
			s.limiter.Release()
			if s.shuttingDown.Load() {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// Out of file descriptors, an aborted handshake...: the
			// listener still works, so wait a little and go on rather than
			// drop every connection being served.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Warn("accept failed; retrying", "err", err, "in", backoff)
			if !s.pause(backoff) {
				return ErrServerClosed
			}
			continue
		}
		backoff = 0
		raw := nc
		if s.cfg.TLS != nil {
			// tls.Server does no I/O: the handshake runs in the
			// connection's goroutine (conn.handshake).
			nc = tls.Server(nc, s.cfg.TLS)
		}
		c := newConn(s, nc, raw)
		if !s.trackConn(c, true) {
			raw.Close()
			c.cancel()
			s.limiter.Release()
			return ErrServerClosed
		}
		go func() {
			defer s.trackConn(c, false)
			c.serve()
		}()
	}
}

// ListenAndServe listens on addr ("host:port") and calls Serve.
func (s *Server) ListenAndServe(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

func (s *Server) pause(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.acceptCtx.Done():
		return false
	}
}

func (s *Server) trackListener(ln *net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.shuttingDown.Load() {
			return false
		}
		s.listeners[ln] = struct{}{}
		s.serveWG.Add(1)
	} else {
		delete(s.listeners, ln)
		s.serveWG.Done()
	}
	return true
}

func (s *Server) trackConn(c *conn, add bool) bool {
	s.mu.Lock()
	if add {
		if s.shuttingDown.Load() {
			s.mu.Unlock()
			return false
		}
		s.conns[c] = struct{}{}
		s.connWG.Add(1)
		s.mu.Unlock()
		s.stats.update(func(st *Stats) {
			st.Conns++
			st.ConnsNow++
			st.ConnsMax = max(st.ConnsMax, st.ConnsNow)
		})
		return true
	}
	delete(s.conns, c)
	s.mu.Unlock()
	s.stats.update(func(st *Stats) { st.ConnsNow-- })
	s.limiter.Release()
	s.connWG.Done()
	return true
}

// beginShutdown stops accepting and tells every connection; it runs once.
func (s *Server) beginShutdown() {
	s.mu.Lock()
	first := !s.shuttingDown.Swap(true)
	s.stopAccept()
	for ln := range s.listeners {
		(*ln).Close()
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.wakeForShutdown()
	}
	if first {
		go func() {
			s.serveWG.Wait()
			s.connWG.Wait()
			s.pool.Shutdown(context.Background())
			close(s.drained)
		}()
	}
}

// Shutdown stops accepting connections, closes the idle ones, answers
// requests read from then on with SHUTTING_DOWN, finishes and answers every
// accepted job, then closes the remaining connections and shuts down the
// pool. If ctx ends first it logs how many jobs are unanswered and returns
// ctx.Err(); Close then ends what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	s.beginShutdown()
	select {
	case <-s.drained:
		return nil
	case <-ctx.Done():
		st := s.Stats()
		s.log.Warn("shutdown deadline passed with jobs unanswered",
			"unanswered", st.InFlight, "connections", st.ConnsNow)
		return fmt.Errorf("shutdown: %w", ctx.Err())
	}
}

// Close closes every listener and connection at once; jobs not started are
// dropped and running SPIN and SLEEP jobs end early. It waits for the
// server's goroutines to exit and is safe to call more than once.
func (s *Server) Close() error {
	s.beginShutdown()
	s.closeAll()
	s.mu.Lock()
	for c := range s.conns {
		c.raw.Close() // not c.nc: a TLS close would first try to send an alert
	}
	s.mu.Unlock()
	<-s.drained
	return nil
}
