package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/tcpimg/tcpimg/core"
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
		{"metrics addr", []string{"-metrics-addr", "bad"}, `-metrics-addr "bad"`},
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

func TestMetricsEndpoint(t *testing.T) {
	cfg, err := parseFlags([]string{"-addr", "127.0.0.1:0", "-metrics-addr", "127.0.0.1:0", "-log-level", "info",
		"-workers", "2", "-admit", "aimd"}, io.Discard)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, func() {}, &logs, func(a string) { addrc <- a }) }()
	addr := <-addrc
	c, err := core.Dial(addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Send(core.RequestHeader{Op: core.OpNoop, JobID: 1}, []byte("x")))
	_, err = c.Recv()
	require.NoError(t, err)

	m := regexp.MustCompile(`msg=metrics addr=(\S+)`).FindStringSubmatch(logs.String())
	require.NotNil(t, m, "no metrics address in the log: %s", logs.String())
	var body []byte
	// The reader counts a job accepted just after the pool takes it, which
	// can be after the answer reached the client.
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + m[1] + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, err = io.ReadAll(resp.Body)
		return err == nil && bytes.Contains(body, []byte("tcpimg_jobs_accepted_total 1\n"))
	}, 5*time.Second, 10*time.Millisecond, "accepted never counted")
	assert.Contains(t, string(body), "tcpimg_jobs_completed_total 1")
	assert.Contains(t, string(body), "tcpimg_connections 1")
	assert.Contains(t, string(body), "tcpimg_admit_limit ", "the admission limit (2 workers: 2..%d)", 2+core.DefaultQueueSize)
	assert.Contains(t, string(body), "tcpimg_admit_in_flight 0\n")
	for name := range metricHelp {
		assert.Contains(t, string(body), "\ntcpimg_"+name+" ", "described but not collected")
	}
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
