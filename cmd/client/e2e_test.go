package main

import (
	"context"
	"crypto/tls"
	"errors"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/internal/testcert"
	"github.com/tcpimg/tcpimg/internal/tlsconf"
)

// startServer serves cfg on 127.0.0.1:0 and shuts the server down when the
// test ends, checking that Serve returned ErrServerClosed.
func startServer(t *testing.T, cfg core.Config) (*core.Server, string) {
	t.Helper()
	cfg.Logger = slog.New(slog.DiscardHandler)
	srv, err := core.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		assert.NoError(t, srv.Shutdown(context.Background()))
		assert.True(t, errors.Is(<-served, core.ErrServerClosed))
	})
	return srv, ln.Addr().String()
}

func TestBatchAgainstServer(t *testing.T) {
	dir := writeImages(t)
	tests := []struct {
		name      string
		give      []string
		want      counts
		wantFiles map[string]image.Point // -out file name: its size
	}{
		{
			name: "thumbnail keeps formats",
			give: []string{"-width", "32", "-height", "32"},
			want: counts{jobs: 3, sent: 3, answered: 3, ok: 3},
			wantFiles: map[string]image.Point{
				"a_thumbnail.png": {32, 24}, "b_thumbnail.jpg": {32, 24}, "c_thumbnail.png": {32, 24},
			},
		},
		{
			name: "grayscale to jpeg",
			give: []string{"-op", "grayscale", "-format", "jpeg", "-quality", "60"},
			want: counts{jobs: 3, sent: 3, answered: 3, ok: 3},
			wantFiles: map[string]image.Point{
				"a_grayscale.jpg": {64, 48}, "b_grayscale.jpg": {64, 48}, "c_grayscale.jpg": {64, 48},
			},
		},
		{
			name: "blur repeated over connections",
			give: []string{"-op", "blur", "-radius", "2", "-format", "png", "-repeat", "20", "-conns", "3", "-inflight", "4"},
			want: counts{jobs: 60, sent: 60, answered: 60, ok: 60},
			wantFiles: map[string]image.Point{
				"a_blur.png": {64, 48}, "b_blur.png": {64, 48}, "c_blur.png": {64, 48},
			},
		},
		{
			name: "spin sends no payload",
			give: []string{"-op", "spin", "-work", "100us", "-repeat", "10"},
			want: counts{jobs: 30, sent: 30, answered: 30, ok: 30},
			wantFiles: map[string]image.Point{
				"a_spin.bin": {}, "b_spin.bin": {}, "c_spin.bin": {},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, addr := startServer(t, core.Config{Pool: core.NewWorkerPool(2, core.NewChanQueue(64))})
			out := t.TempDir()
			args := append([]string{"-addr", addr, "-dir", dir, "-out", out}, tt.give...)
			r := runClient(t, context.Background(), args...)
			require.Equal(t, 0, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			assert.Equal(t, tt.want, countsOf(r.summary))
			assert.Equal(t, uint64(tt.want.jobs), srv.Stats().Completed)
			got := make(map[string]image.Point)
			entries, err := os.ReadDir(out)
			require.NoError(t, err)
			for _, e := range entries {
				got[e.Name()] = sizeOf(t, filepath.Join(out, e.Name()))
			}
			assert.Equal(t, tt.wantFiles, got)
		})
	}
}

// sizeOf returns the size of the image in file, or zero for a file that is
// empty (the result of SPIN and SLEEP).
func sizeOf(t *testing.T, file string) image.Point {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() == 0 {
		return image.Point{}
	}
	cfg, _, err := image.DecodeConfig(f)
	require.NoError(t, err)
	return image.Pt(cfg.Width, cfg.Height)
}

func TestBusyAgainstServer(t *testing.T) {
	dir := writeImages(t)
	tests := []struct {
		name     string
		give     []string
		wantCode int
	}{
		{"busy fails by default", nil, 1},
		{"busy allowed", []string{"-busy-ok"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One worker and no queue: of 4 connections x 4 sleeping jobs
			// at once, all but one are refused.
			srv, addr := startServer(t, core.Config{Pool: core.NewWorkerPool(1, core.NewChanQueue(0))})
			args := append([]string{"-addr", addr, "-dir", dir, "-op", "sleep", "-work", "50ms",
				"-repeat", "6", "-conns", "4", "-inflight", "4", "-quiet", "-retries", "0"}, tt.give...)
			r := runClient(t, context.Background(), args...)
			assert.Equal(t, tt.wantCode, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			c := countsOf(r.summary)
			assert.Positive(t, c.busy)
			assert.Positive(t, c.ok)
			assert.Equal(t, counts{jobs: 18, sent: 18, answered: 18, ok: c.ok, busy: c.busy}, c)
			st := srv.Stats()
			assert.Equal(t, uint64(c.busy), st.Busy)
			assert.Equal(t, uint64(c.ok), st.Completed)
		})
	}
}

func TestBadImageAgainstServer(t *testing.T) {
	dir := writeImages(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "d.png"), []byte("not really a png"), 0o644))
	_, addr := startServer(t, core.Config{Pool: core.NewWorkerPool(2, core.NewChanQueue(core.DefaultQueueSize))})
	r := runClient(t, context.Background(), "-addr", addr, "-dir", dir)
	assert.Equal(t, 1, r.code)
	assert.Equal(t, counts{jobs: 4, sent: 4, answered: 4, ok: 3, errors: 1}, countsOf(r.summary))
	assert.Contains(t, r.stdout, "first BAD_REQUEST: d.png: BAD_REQUEST: ")
}

// TestMutualTLSAgainstServer runs the batch over mutual TLS with the
// -tls-* flags; a client without a certificate gets nothing OK.
func TestMutualTLSAgainstServer(t *testing.T) {
	dir := writeImages(t)
	ca := testcert.NewCA(t, "test CA")
	files := ca.WriteFiles(t, t.TempDir(), "client", ca.Client(t, "alice"))
	_, addr := startServer(t, core.Config{
		Pool: core.NewWorkerPool(2, core.NewChanQueue(core.DefaultQueueSize)),
		TLS:  tlsconf.ServerConfig([]tls.Certificate{ca.Server(t)}, ca.Pool()),
	})
	tests := []struct {
		name     string
		give     []string
		wantCode int
		wantOK   int
	}{
		{"with a certificate", []string{"-tls-ca", files.CA, "-tls-cert", files.Cert, "-tls-key", files.Key, "-tls-server-name", testcert.ServerName}, 0, 3},
		{"without one", []string{"-tls-ca", files.CA, "-retries", "0"}, 1, 0},
		// The server's "certificate required" is final: no job is sent
		// again, nor any connection dialled again, however many retries
		// the flags allow.
		{"without one, retries allowed", []string{"-tls-ca", files.CA, "-retries", "5", "-retry-budget", "1"}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"-addr", addr, "-dir", dir, "-quiet", "-conns", "2"}, tt.give...)
			r := runClient(t, context.Background(), args...)
			assert.Equal(t, tt.wantCode, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			if r.summary != nil {
				assert.Equal(t, tt.wantOK, int(r.summary["ok"]))
				assert.Zero(t, r.summary["retries"], "stderr: %s", r.stderr)
				assert.Zero(t, r.summary["reconnects"], "stderr: %s", r.stderr)
			}
			if tt.wantCode != 0 {
				assert.Contains(t, r.stderr, "certificate required")
			}
		})
	}
}
