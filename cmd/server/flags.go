package main

import (
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
	"github.com/tcpimg/tcpimg/strategies/codel"
)

// errHelp means -h was asked for and usage printed.
var errHelp = errors.New("help requested")

// config is what the flags say.
type config struct {
	addr            string
	spec            strategies.Spec // pool, limiter, admission limit, workers, queue
	server          core.Config     // admission, limits and TLS
	shutdownTimeout time.Duration
	drainDelay      time.Duration
	ioProcs         int
	adminAddr       string
	logLevel        string
	logFormat       string
	list            bool
}

// flagOf names the flag behind each setting that core or strategies
// validate, so that their range errors read as flag errors.
var flagOf = map[string]string{
	"Workers":                 "-workers",
	"QueueSize":               "-queue",
	"CodelTarget":             "-codel-target",
	"CodelInterval":           "-codel-interval",
	"Admission":               "-admission",
	"Limits.MaxPixels":        "-max-pixels",
	"Limits.MaxInflight":      "-max-inflight",
	"Limits.FrameTimeout":     "-frame-timeout",
	"Limits.IdleTimeout":      "-idle-timeout",
	"Limits.WriteTimeout":     "-write-timeout",
	"Limits.MaxConns":         "-max-conns",
	"Limits.MaxMemory":        "-max-memory",
	"Limits.HandshakeTimeout": "-handshake-timeout",
}

// parseFlags parses args. Errors are returned as one line, not printed;
// usage goes to usage only for -h. Ranges are checked by the packages that
// own the settings (core.Config.Validate, strategies.Spec.Validate), so
// the command line and a program embedding the server refuse the same
// values.
func parseFlags(args []string, usage io.Writer) (config, error) {
	d := core.DefaultLimits()
	def := strategies.DefaultSpec()
	var (
		cfg       config
		admission string
		maxFrame  uint64
		tlsFiles  tlsconf.ServerFiles
	)
	lim := &cfg.server.Limits
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.StringVar(&cfg.addr, "addr", ":8082", "address to listen on (host:port)")
	fs.IntVar(&cfg.spec.Workers, "workers", runtime.GOMAXPROCS(0), fmt.Sprintf("workers of the pool, at most %d; 0 means GOMAXPROCS (ignored by unbounded)", strategies.MaxWorkers))
	fs.IntVar(&cfg.spec.QueueSize, "queue", def.QueueSize, fmt.Sprintf("job queue capacity, at most %d; 0 for none (a job is accepted only when a worker is free)", strategies.MaxQueueSize))
	fs.StringVar(&admission, "admission", "reject", "when the pool is full: reject (answer BUSY) or block (stop reading: TCP backpressure)")
	fs.StringVar(&cfg.spec.Pool, "pool", def.Pool, "pool strategy: "+strings.Join(strategies.PoolNames(), ", "))
	fs.StringVar(&cfg.spec.Limiter, "limiter", def.Limiter, "connection limiter strategy: "+strings.Join(strategies.LimiterNames(), ", "))
	fs.StringVar(&cfg.spec.Admit, "admit", def.Admit, "adaptive limit on jobs admitted in front of the pool (BUSY past it): "+strings.Join(strategies.AdmitNames(), ", "))
	fs.DurationVar(&cfg.spec.CodelTarget, "codel-target", codel.DefaultTarget, "queueing delay a standing queue stays above; jobs that waited over twice it are shed (codel, codel-lifo, demand-lifo)")
	fs.DurationVar(&cfg.spec.CodelInterval, "codel-interval", codel.DefaultInterval, "how long the delay must stay above -codel-target before shedding (codel, codel-lifo, demand-lifo), and the drain window of adaptive-lifo")
	fs.IntVar(&cfg.ioProcs, "io-procs", 1, fmt.Sprintf("Go processors kept beside the workers for the network, at most %d: GOMAXPROCS is raised to at least workers + this, so that reading requests and writing answers never wait for a running job to be preempted (0: leave GOMAXPROCS alone)", maxIOProcs))
	fs.BoolVar(&cfg.list, "list", false, "print the registered strategies and exit")
	fs.Uint64Var(&maxFrame, "max-frame", uint64(d.MaxFrame), "largest request payload in bytes; longer frames get TOO_LARGE and the connection is closed")
	fs.Int64Var(&lim.MaxPixels, "max-pixels", d.MaxPixels, "largest image (width x height from its header); larger get TOO_LARGE")
	fs.IntVar(&lim.MaxInflight, "max-inflight", d.MaxInflight, fmt.Sprintf("requests read but not answered per connection before the server stops reading it, at most %d", core.MaxInflightLimit))
	fs.DurationVar(&lim.FrameTimeout, "frame-timeout", d.FrameTimeout, "time to receive one whole frame once its first byte arrived")
	fs.DurationVar(&lim.IdleTimeout, "idle-timeout", d.IdleTimeout, "idle time (nothing in flight, no partial frame) before a connection is closed")
	fs.DurationVar(&lim.WriteTimeout, "write-timeout", d.WriteTimeout, "time to write responses while the client does not read")
	fs.IntVar(&lim.MaxConns, "max-conns", d.MaxConns, "connections served at once; more wait to be accepted")
	fs.Int64Var(&lim.MaxMemory, "max-memory", d.MaxMemory, "request payload bytes held at once across connections; past it readers wait (backpressure)")
	fs.DurationVar(&lim.HandshakeTimeout, "handshake-timeout", d.HandshakeTimeout, "time a TLS client has to complete its handshake")
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
	if cfg.server.Admission, err = core.ParseAdmission(admission); err != nil {
		return cfg, err
	}
	// Limits take 0 as "the default"; on the command line the default is
	// spelled out, so 0 here is a mistake, not a request for it.
	if maxFrame == 0 || maxFrame > 1<<32-1 {
		return cfg, fmt.Errorf("-max-frame %d out of 1..%d", maxFrame, uint64(1<<32-1))
	}
	lim.MaxFrame = uint32(maxFrame)
	checks := []struct {
		bad  bool
		what string
	}{
		{lim.MaxPixels == 0, "-max-pixels 0: want at least 1"},
		{lim.MaxInflight == 0, "-max-inflight 0: want at least 1"},
		{lim.MaxConns == 0, "-max-conns 0: want at least 1"},
		{lim.MaxMemory == 0, "-max-memory 0: want at least 1"},
		{lim.FrameTimeout == 0, "-frame-timeout 0s: want a positive duration"},
		{lim.IdleTimeout == 0, "-idle-timeout 0s: want a positive duration"},
		{lim.WriteTimeout == 0, "-write-timeout 0s: want a positive duration"},
		{lim.HandshakeTimeout == 0, "-handshake-timeout 0s: want a positive duration"},
		{cfg.spec.CodelTarget <= 0, fmt.Sprintf("-codel-target %v: want a positive duration", cfg.spec.CodelTarget)},
		{cfg.spec.CodelInterval <= 0, fmt.Sprintf("-codel-interval %v: want a positive duration", cfg.spec.CodelInterval)},
		{cfg.shutdownTimeout <= 0, fmt.Sprintf("-shutdown-timeout %v: want a positive duration", cfg.shutdownTimeout)},
		{cfg.ioProcs < 0 || cfg.ioProcs > maxIOProcs, fmt.Sprintf("-io-procs %d out of range: want 0..%d", cfg.ioProcs, maxIOProcs)},
		{cfg.drainDelay < 0, fmt.Sprintf("-drain-delay %v: want 0 or more", cfg.drainDelay)},
		{!validLevel(cfg.logLevel), fmt.Sprintf("-log-level %q: want debug, info, warn or error", cfg.logLevel)},
		{cfg.logFormat != "text" && cfg.logFormat != "json", fmt.Sprintf("-log-format %q: want text or json", cfg.logFormat)},
	}
	for _, c := range checks {
		if c.bad {
			return cfg, errors.New(c.what)
		}
	}
	for _, err := range []error{cfg.spec.Validate(), cfg.server.Validate()} {
		if err != nil {
			return cfg, asFlagError(err)
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
	if cfg.server.TLS, err = tlsFiles.Config(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// asFlagError rewrites a range error in terms of its flag.
func asFlagError(err error) error {
	var ce *core.ConfigError
	if errors.As(err, &ce) {
		if name, ok := flagOf[ce.Field]; ok {
			return fmt.Errorf("%s %v out of range: want %s", name, ce.Value, ce.Want)
		}
	}
	return err
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
