package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/internal/tlsconf"
	"github.com/tcpimg/tcpimg/retry"
)

// errUsage marks errors in the command line or in -dir: they exit 2.
var errUsage = errors.New("usage")

// Upper bounds for -conns and -inflight, far past any use: a connection is
// dialled for each of -conns, and each holds a slot per -inflight.
const (
	maxConns    = 1 << 16
	maxInflight = 1 << 16
	maxRetries  = 100
)

// usageError is a command-line mistake, told in one line without a prefix.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// Is makes every usageError match errUsage.
func (e *usageError) Is(target error) bool { return target == errUsage }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// usageFooter ends -h: what scripts may rely on.
const usageFooter = `
The last line on stdout is for scripts:
  summary jobs=N sent=N answered=N ok=N busy=N errors=N missing=N unsent=N unexpected=N imgs_per_s=X p50_ms=X p99_ms=X queue_p50_ms=X service_p50_ms=X elapsed_s=X retries=N retries_denied=N reconnects=N
Exit status: 0 when every job was answered OK (BUSY too, with -busy-ok);
1 when any was not, or a response was missing; 2 for bad flags or -dir.
`

// config is everything the command line decides.
type config struct {
	addr     string
	dir      string
	conns    int
	inflight int
	op       core.Op
	width    uint32
	height   uint32
	radius   uint32
	work     time.Duration // SPIN and SLEEP length
	format   core.Format
	quality  uint8
	deadline time.Duration
	timeout  time.Duration
	out      string
	repeat   int
	quiet    bool
	busyOK   bool

	retries     int         // cap on retries per job; 0: off
	retryBudget float64     // retries per job sent, across the batch
	tls         *tls.Config // nil: plain TCP
}

// header returns the request header every job of the batch carries; only the
// job id differs between jobs.
func (c *config) header() core.RequestHeader {
	h := core.RequestHeader{
		Op:       c.op,
		Format:   c.format,
		Quality:  c.quality,
		Deadline: uint32((c.deadline + time.Millisecond - 1) / time.Millisecond),
	}
	switch c.op {
	case core.OpThumbnail:
		h.Arg1, h.Arg2 = c.width, c.height
	case core.OpBlur:
		h.Arg1 = c.radius
	case core.OpSpin, core.OpSleep:
		h.Arg1 = uint32(c.work / time.Microsecond)
	}
	return h
}

// parseConfig reads the command line. Its errors wrap errUsage and fit on one
// line; -h returns flag.ErrHelp after printing the usage to stderr.
func parseConfig(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by the caller
	fs.Usage = func() {}
	var (
		c                       config
		op, format              string
		width, height, radius   int
		quality                 int
		deadline, work, timeout time.Duration
		tlsFiles                tlsconf.ClientFiles
	)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8082", "server `host:port`")
	fs.StringVar(&c.dir, "dir", "testdata/images", "folder of .png, .jpg, .jpeg and .gif images to send")
	fs.IntVar(&c.conns, "conns", 4, "connections to spread the batch over, at most 65536")
	fs.IntVar(&c.inflight, "inflight", 16, "requests pipelined on each connection, at most 65536")
	fs.StringVar(&op, "op", "thumbnail", "operation: thumbnail, grayscale, blur, noop, spin or sleep")
	fs.IntVar(&width, "width", 128, "thumbnail box width (0 = free)")
	fs.IntVar(&height, "height", 128, "thumbnail box height (0 = free)")
	fs.IntVar(&radius, "radius", 3, "blur radius, 1..64")
	fs.DurationVar(&work, "work", time.Millisecond, "length of a spin or sleep job (its payload is not sent)")
	fs.StringVar(&format, "format", "same", "output format: same, png or jpeg")
	fs.IntVar(&quality, "quality", 0, "JPEG quality 1..100 (0 = the server's default, 85)")
	fs.DurationVar(&deadline, "deadline", 0, "how long each job may wait to start, rounded up to ms (0 = no deadline)")
	fs.DurationVar(&timeout, "timeout", 0, "bound on the whole run; jobs unanswered by then are missing (0 = none)")
	fs.StringVar(&c.out, "out", "", "write the first OK result for each image into this folder (created)")
	fs.IntVar(&c.repeat, "repeat", 1, "send the batch this many times")
	fs.BoolVar(&c.quiet, "quiet", false, "print only the machine-readable summary line")
	fs.BoolVar(&c.busyOK, "busy-ok", false, "BUSY answers do not fail the run (exit status)")
	fs.IntVar(&c.retries, "retries", retry.DefaultMaxRetries, fmt.Sprintf("send a job again, at most this many times, after BUSY, SHUTTING_DOWN or a lost connection (0 = never, at most %d)", maxRetries))
	fs.Float64Var(&c.retryBudget, "retry-budget", retry.DefaultRatio, "retries allowed per job sent, across the batch, 0..1 (plus 10 to start with)")
	tlsFiles.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprintln(stderr, "usage: client [flags]")
			fs.PrintDefaults()
			fmt.Fprint(stderr, usageFooter)
			return c, err
		}
		return c, usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return c, usagef("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if c.op, err = core.ParseOp(op); err != nil {
		return c, usagef("-op: %v", err)
	}
	if c.format, err = core.ParseFormat(format); err != nil {
		return c, usagef("-format: %v", err)
	}
	checks := []struct {
		bad bool
		msg string
	}{
		{c.addr == "", "-addr is empty"},
		{c.dir == "", "-dir is empty"},
		{c.conns < 1, fmt.Sprintf("-conns %d: want at least 1", c.conns)},
		{c.conns > maxConns, fmt.Sprintf("-conns %d: want at most %d", c.conns, maxConns)},
		{c.inflight < 1, fmt.Sprintf("-inflight %d: want at least 1", c.inflight)},
		{c.inflight > maxInflight, fmt.Sprintf("-inflight %d: want at most %d", c.inflight, maxInflight)},
		{c.repeat < 1, fmt.Sprintf("-repeat %d: want at least 1", c.repeat)},
		{width < 0 || width > math.MaxUint32, fmt.Sprintf("-width %d out of range", width)},
		{height < 0 || height > math.MaxUint32, fmt.Sprintf("-height %d out of range", height)},
		{c.op == core.OpThumbnail && width == 0 && height == 0, "-width and -height are both 0"},
		{c.op == core.OpBlur && (radius < 1 || radius > core.MaxBlurRadius),
			fmt.Sprintf("-radius %d out of 1..%d", radius, core.MaxBlurRadius)},
		{(c.op == core.OpSpin || c.op == core.OpSleep) &&
			(work < time.Microsecond || work > core.MaxSpinUS*time.Microsecond),
			fmt.Sprintf("-work %v out of 1µs..%v", work, core.MaxSpinUS*time.Microsecond)},
		{quality < 0 || quality > 100, fmt.Sprintf("-quality %d out of 0..100", quality)},
		{deadline < 0 || deadline > math.MaxUint32*time.Millisecond, fmt.Sprintf("-deadline %v out of range", deadline)},
		{timeout < 0, fmt.Sprintf("-timeout %v is negative", timeout)},
		{c.retries < 0 || c.retries > maxRetries, fmt.Sprintf("-retries %d out of 0..%d", c.retries, maxRetries)},
		{!(c.retryBudget >= 0 && c.retryBudget <= 1), fmt.Sprintf("-retry-budget %v out of 0..1", c.retryBudget)},
	}
	for _, ck := range checks {
		if ck.bad {
			return c, usagef("%s", ck.msg)
		}
	}
	if c.tls, err = tlsFiles.Config(); err != nil {
		return c, usagef("%v", err)
	}
	c.width, c.height, c.radius = uint32(width), uint32(height), uint32(radius)
	c.quality, c.deadline, c.work, c.timeout = uint8(quality), deadline, work, timeout
	return c, nil
}
