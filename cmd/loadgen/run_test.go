package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/internal/testcert"
	"github.com/tcpimg/tcpimg/internal/tlsconf"
)

// startServer runs a tcpimg server on 127.0.0.1:0 until the test ends.
func startServer(t *testing.T) (string, *core.Server) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv, err := core.NewServer(core.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(t, srv.Shutdown(ctx))
		assert.ErrorIs(t, <-served, core.ErrServerClosed)
	})
	return ln.Addr().String(), srv
}

// TestRunMergePlot loads a running server from two "machines" (two runs
// of the command), merges their records and draws them.
func TestRunMergePlot(t *testing.T) {
	addr, _ := startServer(t)
	out := t.TempDir()
	machines := []string{"a", "b"}
	for _, m := range machines {
		var stdout, stderr bytes.Buffer
		code := mainCode([]string{"-target", addr, "-short", "-scenario", "saturate,open-90", "-count", "2",
			"-label", m, "-out", filepath.Join(out, m)}, &stdout, &stderr)
		require.Equal(t, 0, code, stderr.String())

		lines := benchLines(stdout.String())
		assert.Len(t, lines, 4, "two scenarios, twice")
		assert.Contains(t, stdout.String(), "target: "+addr)
		assert.Contains(t, lines[1], "BenchmarkScenario/scenario=open-90/strategy="+m+"\t")
		assert.Contains(t, lines[1], " lost/op")
		assert.NotContains(t, lines[1], "peak-goroutines", "a remote target's process is not ours to measure")
		raw, err := os.ReadFile(filepath.Join(out, m, "raw.txt"))
		require.NoError(t, err)
		assert.Equal(t, stdout.String(), string(raw))
	}

	records, err := filepath.Glob(filepath.Join(out, "*", "records", "open-90_*.json"))
	require.NoError(t, err)
	require.Len(t, records, 4)
	var stdout, stderr bytes.Buffer
	code := mainCode(append([]string{"merge", "-out", filepath.Join(out, "merged")}, records...), &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	lines := benchLines(stdout.String())
	require.Len(t, lines, 2, "one merged record per repetition")
	assert.Contains(t, lines[0], "strategy=a+b\t")

	stdout.Reset()
	code = mainCode([]string{"plot", "-in", filepath.Join(out, "merged")}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Contains(t, stdout.String(), "latency-open-90.svg")
	assert.FileExists(t, filepath.Join(out, "throughput.png"))
}

// TestRunAgainst loads two servers interleaved: one line per server and
// scenario, each labelled, both servers loaded, at the same rate.
func TestRunAgainst(t *testing.T) {
	a, srvA := startServer(t)
	b, srvB := startServer(t)
	var stdout, stderr bytes.Buffer
	// -short leaves 100 ms; two blocks need at least twice harness.MinBlock.
	code := mainCode([]string{"-target", a, "-label", "first", "-against", b, "-against-label", "second",
		"-blocks", "2", "-short", "-scale", "6", "-scenario", "open-50", "-capacity", "200"}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Contains(t, stdout.String(), "against: "+b+", label second, interleaved in 2 blocks")
	lines := benchLines(stdout.String())
	require.Len(t, lines, 2)
	assert.Contains(t, lines[0], "scenario=open-50/strategy=first\t")
	assert.Contains(t, lines[1], "scenario=open-50/strategy=second\t")
	for _, l := range lines {
		assert.Contains(t, l, " 100 offered/s\t", "both at half of -capacity")
		assert.Contains(t, l, " 600000000 ns/op\t", "both blocks measured")
		assert.NotContains(t, l, "steady", "a shortened run counts by request, with no window to check")
	}
	assert.Positive(t, srvA.Stats().Completed)
	assert.Positive(t, srvB.Stats().Completed)
}

func benchLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "Benchmark") {
			out = append(out, l)
		}
	}
	return out
}

// TestRunOverTLS loads a mutual-TLS server with the -tls-* flags.
func TestRunOverTLS(t *testing.T) {
	ca := testcert.NewCA(t, "test CA")
	files := ca.WriteFiles(t, t.TempDir(), "loadgen", ca.Client(t, "loadgen"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv, err := core.NewServer(core.Config{Logger: slog.New(slog.DiscardHandler),
		TLS: tlsconf.ServerConfig([]tls.Certificate{ca.Server(t)}, ca.Pool())})
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		require.NoError(t, srv.Shutdown(context.Background()))
		require.ErrorIs(t, <-served, core.ErrServerClosed)
	}()
	var stdout, stderr bytes.Buffer
	code := mainCode([]string{"-target", ln.Addr().String(), "-short", "-scenario", "saturate",
		"-tls-ca", files.CA, "-tls-cert", files.Cert, "-tls-key", files.Key, "-tls-server-name", testcert.ServerName}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Contains(t, stdout.String(), "tls: on")
	assert.Len(t, benchLines(stdout.String()), 1)
	st := srv.Stats()
	assert.Positive(t, st.Completed)
	assert.Zero(t, st.HandshakesFailed+st.CertsRefused)
}
