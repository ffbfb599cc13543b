package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/internal/testcert"
	"github.com/tcpimg/tcpimg/internal/tlsconf"
	"github.com/tcpimg/tcpimg/strategies"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestBadFlagsExit2WithOneLine(t *testing.T) {
	tests := []struct {
		name string
		give []string
		want string
	}{
		{"unknown flag", []string{"-bogus"}, "flag provided but not defined"},
		{"negative workers", []string{"-workers", "-1"}, "-workers -1 out of"},
		{"too many workers", []string{"-workers", "100000000"}, "-workers 100000000 out of"},
		{"negative queue", []string{"-queue", "-1"}, "-queue -1"},
		{"huge queue", []string{"-queue", "1000000000000"}, "-queue 1000000000000 out of"},
		{"huge window", []string{"-max-inflight", "1000000000"}, "-max-inflight 1000000000 out of"},
		{"addr without port", []string{"-addr", "nonsense"}, `-addr "nonsense"`},
		{"addr port out of range", []string{"-addr", "127.0.0.1:99999"}, `-addr "127.0.0.1:99999"`},
		{"admin addr", []string{"-admin-addr", "bad"}, `-admin-addr "bad"`},
		{"negative drain delay", []string{"-drain-delay", "-1s"}, "-drain-delay -1s"},
		{"zero handshake timeout", []string{"-handshake-timeout", "0s"}, "-handshake-timeout"},
		{"tls cert without key", []string{"-tls-cert", "x.pem"}, "-tls-cert and -tls-key go together"},
		{"tls client CA alone", []string{"-tls-client-ca", "ca.pem"}, "-tls-cert and -tls-key go together"},
		{"tls files missing", []string{"-tls-cert", "/nonexistent/c.pem", "-tls-key", "/nonexistent/k.pem"}, "-tls-cert/-tls-key"},
		{"admission", []string{"-admission", "maybe"}, "unknown admission policy"},
		{"pool", []string{"-pool", "nope"}, "valid: "},
		{"limiter", []string{"-limiter", "nope"}, "valid: "},
		{"admit", []string{"-admit", "nope"}, "valid: "},
		{"max-frame 0", []string{"-max-frame", "0"}, "-max-frame 0"},
		{"max-frame over 32 bits", []string{"-max-frame", "4294967296"}, "-max-frame"},
		{"bad duration", []string{"-idle-timeout", "soon"}, "invalid value"},
		{"zero timeout", []string{"-write-timeout", "0s"}, "-write-timeout"},
		{"max-conns", []string{"-max-conns", "0"}, "-max-conns 0"},
		{"max-memory", []string{"-max-memory", "-5"}, "-max-memory -5"},
		{"stray argument", []string{"extra"}, "unexpected argument"},
		{"zero codel target", []string{"-codel-target", "0s"}, "-codel-target 0s: want a positive duration"},
		{"negative codel interval", []string{"-codel-interval", "-1s"}, "-codel-interval -1s: want a positive duration"},
		{"codel target past interval", []string{"-codel-target", "1s", "-codel-interval", "100ms"}, "-codel-target 1s out of range"},
		{"log level", []string{"-log-level", "loud"}, "-log-level"},
		{"negative io-procs", []string{"-io-procs", "-1"}, "-io-procs -1 out of range"},
		{"huge io-procs", []string{"-io-procs", "65"}, "-io-procs 65 out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := mainCode(tt.give, &stdout, &stderr)
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr.String(), tt.want)
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
			assert.True(t, strings.HasPrefix(stderr.String(), "server: "))
		})
	}
}

func TestGomaxprocsFor(t *testing.T) {
	tests := []struct {
		name                       string
		current, workers, io, want int
	}{
		{"one core, one worker", 1, 1, 1, 2},
		{"two cores, two workers", 2, 2, 1, 3},
		{"more cores than workers", 8, 2, 1, 8},
		{"never lowered", 8, 2, 2, 8},
		{"two spare", 2, 2, 2, 4},
		{"off", 1, 1, 0, 1},
		{"no fixed workers", 2, 0, 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, gomaxprocsFor(tt.current, tt.workers, tt.io))
		})
	}
}

// TestRunRaisesGOMAXPROCS: the server runs with a processor beside its
// workers, and says so in its first log line.
func TestRunRaisesGOMAXPROCS(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(prev) })
	workers := prev + 1
	_, _, logs, cancel, done := startRun(t, "-workers", strconv.Itoa(workers), "-io-procs", "2")
	assert.Equal(t, workers+2, runtime.GOMAXPROCS(0))
	assert.Contains(t, logs.String(), "gomaxprocs="+strconv.Itoa(workers+2))
	cancel()
	require.NoError(t, <-done)
}

func TestListPrintsRegistry(t *testing.T) {
	var stdout bytes.Buffer
	require.Equal(t, 0, mainCode([]string{"-list"}, &stdout, io.Discard))
	for _, n := range slices.Concat(strategies.PoolNames(), strategies.LimiterNames(), strategies.AdmitNames()) {
		assert.Contains(t, stdout.String(), n)
	}
}

func TestHelpExits0(t *testing.T) {
	var stderr bytes.Buffer
	assert.Equal(t, 0, mainCode([]string{"-h"}, io.Discard, &stderr))
	assert.Contains(t, stderr.String(), "-max-inflight")
}

// TestRunServesAndDrainsOnSignal runs the command's body for every pool
// strategy: it serves a job, then a cancelled context (the signal) drains
// and returns nil.
func TestRunServesAndDrainsOnSignal(t *testing.T) {
	for _, pool := range strategies.PoolNames() {
		t.Run("pool="+pool, func(t *testing.T) {
			cfg, err := parseFlags([]string{"-addr", "127.0.0.1:0", "-pool", pool, "-workers", "2", "-log-level", "warn"}, io.Discard)
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			addrc := make(chan string, 1)
			done := make(chan error, 1)
			var logs bytes.Buffer
			go func() { done <- run(ctx, cfg, func() {}, &logs, func(a string) { addrc <- a }) }()
			var addr string
			select {
			case addr = <-addrc:
			case err := <-done:
				t.Fatalf("run ended before listening: %v", err)
			}
			c, err := core.Dial(addr)
			require.NoError(t, err)
			defer c.Close()
			require.NoError(t, c.Send(core.RequestHeader{Op: core.OpSleep, JobID: 1, Arg1: 1000}, nil))
			r, err := c.Recv()
			require.NoError(t, err)
			assert.Equal(t, core.StatusOK, r.Status)
			cancel()
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-time.After(10 * time.Second):
				t.Fatal("run did not return after the signal")
			}
		})
	}
}

// startRun runs the command's body with args until the returned cancel
// (the signal); it returns the wire address, the admin base URL ("" without
// -admin-addr), the log, and run's result.
func startRun(t *testing.T, args ...string) (addr, adminURL string, logs *syncBuffer, cancel func(), done <-chan error) {
	t.Helper()
	cfg, err := parseFlags(append([]string{"-addr", "127.0.0.1:0", "-log-level", "info"}, args...), io.Discard)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	logs = &syncBuffer{}
	addrc := make(chan string, 1)
	result := make(chan error, 1)
	go func() { result <- run(ctx, cfg, func() {}, logs, func(a string) { addrc <- a }) }()
	select {
	case addr = <-addrc:
	case err := <-result:
		t.Fatalf("run ended before listening: %v", err)
	}
	if m := regexp.MustCompile(`msg=admin addr=(\S+)`).FindStringSubmatch(logs.String()); m != nil {
		adminURL = "http://" + m[1]
	}
	return addr, adminURL, logs, cancel, result
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func noop(t *testing.T, c *core.ClientConn, id uint64) core.Status {
	t.Helper()
	require.NoError(t, c.Send(core.RequestHeader{Op: core.OpNoop, JobID: id}, []byte("x")))
	r, err := c.Recv()
	require.NoError(t, err)
	return r.Status
}

// TestAdminAndDrainDelay: the admin listener serves metrics, stats and
// readiness; on the signal /readyz turns 503 at once while the server still
// accepts and serves new connections for the drain delay, and then drains.
func TestAdminAndDrainDelay(t *testing.T) {
	const delay = 2 * time.Second
	addr, adminURL, logs, cancel, done := startRun(t, "-admin-addr", "127.0.0.1:0", "-drain-delay", delay.String(),
		"-workers", "2", "-admit", "aimd")
	require.NotEmpty(t, adminURL, "no admin address in the log: %s", logs.String())
	c, err := core.Dial(addr)
	require.NoError(t, err)
	defer c.Close()
	require.Equal(t, core.StatusOK, noop(t, c, 1))
	code, _ := httpGet(t, adminURL+"/readyz")
	require.Equal(t, 200, code)
	// The reader counts a job accepted just after the pool takes it, which
	// can be after the answer reached the client.
	require.Eventually(t, func() bool {
		_, body := httpGet(t, adminURL+"/metrics")
		return strings.Contains(body, "tcpimg_jobs_accepted_total 1\n")
	}, 5*time.Second, 10*time.Millisecond, "accepted never counted")
	_, body := httpGet(t, adminURL+"/metrics")
	assert.Contains(t, body, "tcpimg_jobs_completed_total 1")
	assert.Contains(t, body, "tcpimg_connections 1")
	assert.Contains(t, body, "tcpimg_admit_limit ", "the admission limit (2 workers: 2..%d)", 2+core.DefaultQueueSize)
	assert.Contains(t, body, "tcpimg_admit_in_flight 0\n")
	_, body = httpGet(t, adminURL+"/stats")
	assert.Contains(t, body, `"Completed": 1`)
	assert.Contains(t, body, `"admit": {`)

	signalled := time.Now()
	cancel()
	require.Eventually(t, func() bool {
		code, _ := httpGet(t, adminURL+"/readyz")
		return code == 503
	}, time.Second, time.Millisecond, "/readyz still ready after the signal")
	// Still accepting and serving: a balancer may not have noticed yet.
	late, err := core.Dial(addr)
	require.NoError(t, err)
	defer late.Close()
	assert.Equal(t, core.StatusOK, noop(t, late, 2))
	assert.Equal(t, core.StatusOK, noop(t, c, 3))
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("run did not return after the drain delay")
	}
	assert.GreaterOrEqual(t, time.Since(signalled), delay, "stopped before the drain delay")
	assert.Contains(t, logs.String(), "msg=draining")
}

// TestRunServesMutualTLS starts the command with certificate files and
// serves a client that holds a certificate of the client CA.
func TestRunServesMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca := testcert.NewCA(t, "test CA")
	srvFiles := ca.WriteFiles(t, dir, "server", ca.Server(t))
	addr, _, logs, cancel, done := startRun(t, "-tls-cert", srvFiles.Cert, "-tls-key", srvFiles.Key,
		"-tls-client-ca", srvFiles.CA, "-handshake-timeout", "2s")
	assert.Contains(t, logs.String(), "tls=mutual")
	ctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	nc, err := tlsconf.Dial(ctx, addr, tlsconf.ClientConfig(ca.Pool(), []tls.Certificate{ca.Client(t, "alice")}, ""))
	require.NoError(t, err)
	c := core.NewClientConn(nc)
	defer c.Close()
	assert.Equal(t, core.StatusOK, noop(t, c, 1))
	cancel()
	require.NoError(t, <-done)
}

// syncBuffer is a bytes.Buffer safe for a logger writing while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
