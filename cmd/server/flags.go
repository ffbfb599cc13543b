package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"time"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/internal/tlsconf"
	"github.com/tcpimg/tcpimg/strategies"
)

// Upper bounds for the flags that size memory up front: the queue and each
// connection's window are allocated whole, and every worker is a goroutine,
// so a value past these would exhaust memory instead of failing as a flag.
const (
	maxWorkers  = 1 << 16
	maxQueue    = 1 << 24
	maxInflight = 1 << 16
)

// errHelp means -h was asked for and usage printed.
var errHelp = errors.New("help requested")

// config is what the flags say.
type config struct {
	addr            string
	workers         int
	queue           int
	admission       core.Admission
	pool            string
	limiter         string
	limits          core.Limits
	shutdownTimeout time.Duration
	drainDelay      time.Duration
	adminAddr       string
	tls             *tls.Config // nil: plain TCP
	logLevel        string
	logFormat       string
	list            bool
}

// parseFlags parses args. Errors are returned as one line, not printed;
// usage goes to usage only for -h.
func parseFlags(args []string, usage io.Writer) (config, error) {
	d := core.DefaultLimits()
	var (
		cfg       config
		admission string
		maxFrame  uint64
		tlsFiles  tlsconf.ServerFiles
	)
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.StringVar(&cfg.addr, "addr", ":8082", "address to listen on (host:port)")
	fs.IntVar(&cfg.workers, "workers", runtime.GOMAXPROCS(0), "workers of the pool, at most 65536 (ignored by unbounded)")
	fs.IntVar(&cfg.queue, "queue", core.DefaultQueueSize, "job queue capacity, at most 16777216; 0 for none (a job is accepted only when a worker is free)")
	fs.StringVar(&admission, "admission", "reject", "when the pool is full: reject (answer BUSY) or block (stop reading: TCP backpressure)")
	fs.StringVar(&cfg.pool, "pool", strategies.DefaultPool, "pool strategy: "+strings.Join(strategies.PoolNames(), ", "))
	fs.StringVar(&cfg.limiter, "limiter", strategies.DefaultLimiter, "connection limiter strategy: "+strings.Join(strategies.LimiterNames(), ", "))
	fs.BoolVar(&cfg.list, "list", false, "print the registered strategies and exit")
	fs.Uint64Var(&maxFrame, "max-frame", uint64(d.MaxFrame), "largest request payload in bytes; longer frames get TOO_LARGE and the connection is closed")
	fs.Int64Var(&cfg.limits.MaxPixels, "max-pixels", d.MaxPixels, "largest image (width x height from its header); larger get TOO_LARGE")
	fs.IntVar(&cfg.limits.MaxInflight, "max-inflight", d.MaxInflight, "requests read but not answered per connection before the server stops reading it, at most 65536")
	fs.DurationVar(&cfg.limits.FrameTimeout, "frame-timeout", d.FrameTimeout, "time to receive one whole frame once its first byte arrived")
	fs.DurationVar(&cfg.limits.IdleTimeout, "idle-timeout", d.IdleTimeout, "idle time (nothing in flight, no partial frame) before a connection is closed")
	fs.DurationVar(&cfg.limits.WriteTimeout, "write-timeout", d.WriteTimeout, "time to write responses while the client does not read")
	fs.IntVar(&cfg.limits.MaxConns, "max-conns", d.MaxConns, "connections served at once; more wait to be accepted")
	fs.Int64Var(&cfg.limits.MaxMemory, "max-memory", d.MaxMemory, "request payload bytes held at once across connections; past it readers wait (backpressure)")
	fs.DurationVar(&cfg.limits.HandshakeTimeout, "handshake-timeout", d.HandshakeTimeout, "time a TLS client has to complete its handshake")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long shutdown waits for accepted jobs")
	fs.DurationVar(&cfg.drainDelay, "drain-delay", 0, "on SIGINT/SIGTERM, keep serving this long with /readyz answering 503, so a balancer stops sending work, before shutdown")
	fs.StringVar(&cfg.adminAddr, "admin-addr", "", "serve /metrics, /debug/pprof/, /healthz, /readyz and /stats over HTTP at this `host:port` (off when empty)")
	tlsFiles.AddFlags(fs)
	fs.StringVar(&cfg.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&cfg.logFormat, "log-format", "text", "log format: text or json")
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(usage)
			fmt.Fprintln(usage, "usage: server [flags]")
			fs.PrintDefaults()
			return cfg, errHelp
		}
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if cfg.admission, err = core.ParseAdmission(admission); err != nil {
		return cfg, err
	}
	if maxFrame == 0 || maxFrame > 1<<32-1 {
		return cfg, fmt.Errorf("-max-frame %d out of 1..%d", maxFrame, uint64(1<<32-1))
	}
	cfg.limits.MaxFrame = uint32(maxFrame)
	checks := []struct {
		bad  bool
		what string
	}{
		{cfg.workers < 1 || cfg.workers > maxWorkers, fmt.Sprintf("-workers %d out of 1..%d", cfg.workers, maxWorkers)},
		{cfg.queue < 0 || cfg.queue > maxQueue, fmt.Sprintf("-queue %d out of 0..%d", cfg.queue, maxQueue)},
		{cfg.limits.MaxPixels < 1, fmt.Sprintf("-max-pixels %d must be at least 1", cfg.limits.MaxPixels)},
		{cfg.limits.MaxInflight < 1 || cfg.limits.MaxInflight > maxInflight, fmt.Sprintf("-max-inflight %d out of 1..%d", cfg.limits.MaxInflight, maxInflight)},
		{cfg.limits.MaxConns < 1, fmt.Sprintf("-max-conns %d must be at least 1", cfg.limits.MaxConns)},
		{cfg.limits.MaxMemory < 1, fmt.Sprintf("-max-memory %d must be at least 1", cfg.limits.MaxMemory)},
		{cfg.limits.FrameTimeout <= 0, fmt.Sprintf("-frame-timeout %v must be positive", cfg.limits.FrameTimeout)},
		{cfg.limits.IdleTimeout <= 0, fmt.Sprintf("-idle-timeout %v must be positive", cfg.limits.IdleTimeout)},
		{cfg.limits.WriteTimeout <= 0, fmt.Sprintf("-write-timeout %v must be positive", cfg.limits.WriteTimeout)},
		{cfg.limits.HandshakeTimeout <= 0, fmt.Sprintf("-handshake-timeout %v must be positive", cfg.limits.HandshakeTimeout)},
		{cfg.shutdownTimeout <= 0, fmt.Sprintf("-shutdown-timeout %v must be positive", cfg.shutdownTimeout)},
		{cfg.drainDelay < 0, fmt.Sprintf("-drain-delay %v must not be negative", cfg.drainDelay)},
		{!validLevel(cfg.logLevel), fmt.Sprintf("-log-level %q: want debug, info, warn or error", cfg.logLevel)},
		{cfg.logFormat != "text" && cfg.logFormat != "json", fmt.Sprintf("-log-format %q: want text or json", cfg.logFormat)},
	}
	for _, c := range checks {
		if c.bad {
			return cfg, errors.New(c.what)
		}
	}
	if err := checkAddr("-addr", cfg.addr); err != nil {
		return cfg, err
	}
	if cfg.adminAddr != "" {
		if err := checkAddr("-admin-addr", cfg.adminAddr); err != nil {
			return cfg, err
		}
	}
	if cfg.tls, err = tlsFiles.Config(); err != nil {
		return cfg, err
	}
	// Names are checked here so a typo fails before anything starts.
	if _, err := strategies.NewLimiter(cfg.limiter, 1); err != nil {
		return cfg, err
	}
	if !contains(strategies.PoolNames(), cfg.pool) {
		_, err := strategies.NewPool(cfg.pool, strategies.PoolConfig{})
		return cfg, err
	}
	return cfg, nil
}

// checkAddr reports an address that net.Listen could never use: not
// host:port, or a port that is neither a number in 0..65535 nor a known
// service name.
func checkAddr(flag, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		_, err = net.LookupPort("tcp", port)
	}
	if err != nil {
		return fmt.Errorf("%s %q: %v", flag, addr, err)
	}
	return nil
}

func validLevel(s string) bool {
	switch s {
	case "debug", "info", "warn", "error":
		return true
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
