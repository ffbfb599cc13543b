package core_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/internal/testcert"
	"github.com/tcpimg/tcpimg/internal/tlsconf"
	"github.com/tcpimg/tcpimg/strategies"
)

// tlsFixture is a server configuration requiring client certificates of
// one CA, and a client configuration holding one.
type tlsFixture struct {
	ca             *testcert.CA
	server, client *tls.Config
}

func newTLSFixture(t *testing.T) tlsFixture {
	t.Helper()
	ca := testcert.NewCA(t, "tcpimg test CA")
	return tlsFixture{
		ca:     ca,
		server: tlsconf.ServerConfig([]tls.Certificate{ca.Server(t)}, ca.Pool()),
		client: tlsconf.ClientConfig(ca.Pool(), []tls.Certificate{ca.Client(t, "alice")}, testcert.ServerName),
	}
}

// dialTLS opens a TLS client connection (handshake done) closed at the end
// of the test.
func dialTLS(t *testing.T, addr string, cfg *tls.Config) *core.ClientConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	nc, err := tlsconf.Dial(ctx, addr, cfg)
	require.NoError(t, err)
	c := core.NewClientConn(nc)
	t.Cleanup(func() { c.Close() })
	return c
}

// transport is a way for test clients to reach a server: plain TCP, or
// mutual TLS.
type transport struct {
	name   string
	server *tls.Config // the server's Config.TLS
	dial   func(t *testing.T, addr string) *core.ClientConn
}

// forEachTransport runs body as a subtest per transport.
func forEachTransport(t *testing.T, body func(t *testing.T, tr transport)) {
	t.Helper()
	fx := newTLSFixture(t)
	for _, tr := range []transport{
		{"tcp", nil, dial},
		{"tls", fx.server, func(t *testing.T, addr string) *core.ClientConn {
			c := dialTLS(t, addr, fx.client)
			c.MaxPayload = 64 << 20
			return c
		}},
	} {
		t.Run("transport="+tr.name, func(t *testing.T) { body(t, tr) })
	}
}

// TestTLSRoundTrip pipelines jobs over mutual TLS for every pool strategy,
// half-closes, and gets every answer and then the server's close.
func TestTLSRoundTrip(t *testing.T) {
	fx := newTLSFixture(t)
	img := grayPNG(t, 64, 48)
	forEachPool(t, func(t *testing.T, pool string) {
		ts := startServer(t, withPool(t, pool, strategies.PoolConfig{Workers: 2, QueueSize: core.DefaultQueueSize},
			core.Config{Admission: core.AdmissionBlock, TLS: fx.server}))
		c := dialTLS(t, ts.Addr, fx.client)
		reqs := []struct {
			h       core.RequestHeader
			payload []byte
		}{
			{core.RequestHeader{Op: core.OpNoop, JobID: 1}, bytes.Repeat([]byte("x"), 100_000)},
			{core.RequestHeader{Op: core.OpThumbnail, JobID: 2, Arg1: 16, Arg2: 16}, img},
			{core.RequestHeader{Op: core.OpSleep, JobID: 3, Arg1: 1000}, nil},
			{core.RequestHeader{Op: 99, JobID: 4}, nil},
		}
		for _, r := range reqs {
			require.NoError(t, c.SendBuffered(r.h, r.payload))
		}
		require.NoError(t, c.CloseWrite())
		got := map[uint64]core.Response{}
		for _, r := range recvAll(t, c, len(reqs)) {
			got[r.JobID] = r
		}
		assert.Equal(t, core.StatusOK, got[1].Status)
		assert.Len(t, got[1].Payload, 100_000)
		assert.Equal(t, core.StatusOK, got[2].Status)
		assert.Equal(t, core.StatusOK, got[3].Status)
		assert.Equal(t, core.StatusBadRequest, got[4].Status)
		_, err := c.Recv()
		assert.ErrorIs(t, err, io.EOF, "want the server's close after the half-close")
		st := assertConsistent(t, ts)
		assert.Zero(t, st.HandshakesFailed+st.CertsRefused)
	})
}

// TestTLSRefusals: a client without a certificate, with one from another
// CA, or speaking plaintext is refused without a v1 answer, counted by
// kind, and logged at most once a second per kind.
func TestTLSRefusals(t *testing.T) {
	fx := newTLSFixture(t)
	other := testcert.NewCA(t, "another CA")
	tests := []struct {
		name     string
		client   *tls.Config // nil: plaintext
		wantCert uint64      // CertsRefused
		wantHS   uint64      // HandshakesFailed
		wantLog  string
	}{
		{"no client certificate", tlsconf.ClientConfig(fx.ca.Pool(), nil, testcert.ServerName), 1, 0, "TLS client certificate refused"},
		{"certificate of another CA", tlsconf.ClientConfig(fx.ca.Pool(), []tls.Certificate{other.Client(t, "mallory")}, testcert.ServerName), 1, 0, "TLS client certificate refused"},
		{"plaintext", nil, 0, 1, "TLS handshake failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &logCounter{n: map[string]int{}}
			ts := startServer(t, core.Config{Pool: chanPool(1, 4), TLS: fx.server, Logger: slog.New(logs)})
			const tries = 4
			start := time.Now()
			for range tries {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				nc, err := tlsconf.Dial(ctx, ts.Addr, tt.client)
				cancel()
				require.NoError(t, err, "TLS 1.3 refuses a client after its side of the handshake")
				nc.SetDeadline(time.Now().Add(10 * time.Second))
				_, werr := nc.Write(rawHeader("TIMQ", 1, 0, 0, 0, 7, 0, 0, 0, 0))
				got, rerr := io.ReadAll(nc)
				nc.Close()
				assert.False(t, werr == nil && rerr == nil && len(got) > 0, "the connection was served")
				assert.NotContains(t, string(got), "TIMS", "a v1 response came back")
				var ne net.Error
				assert.False(t, errors.As(rerr, &ne) && ne.Timeout(), "the server did not close the connection")
			}
			elapsed := time.Since(start)
			require.Eventually(t, func() bool {
				st := ts.Stats()
				return st.CertsRefused+st.HandshakesFailed == tries
			}, 10*time.Second, 5*time.Millisecond)
			st := assertConsistent(t, ts)
			assert.Equal(t, tries*tt.wantCert, st.CertsRefused)
			assert.Equal(t, tries*tt.wantHS, st.HandshakesFailed)
			assert.Zero(t, st.Accepted+st.Refused)
			lines := logs.count(tt.wantLog)
			assert.GreaterOrEqual(t, lines, 1, "refusal not logged")
			assert.LessOrEqual(t, lines, 1+int(elapsed/time.Second), "more than a line a second")
		})
	}
}

// TestTLSHandshakeLimits: a stalled handshake is cut at the handshake
// timeout and counted; it holds a connection slot meanwhile but never the
// accept loop; Shutdown does not wait for it.
func TestTLSHandshakeLimits(t *testing.T) {
	fx := newTLSFixture(t)
	const cut = 300 * time.Millisecond
	tests := []struct {
		name     string
		maxConns int
		timeout  time.Duration
		check    func(t *testing.T, ts *testServer, stalled net.Conn)
	}{
		{"stalled handshake is cut", 4, cut, func(t *testing.T, ts *testServer, stalled net.Conn) {
			start := time.Now()
			stalled.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, err := stalled.Read(make([]byte, 1))
			require.Error(t, err)
			var ne net.Error
			require.False(t, errors.As(err, &ne) && ne.Timeout(), "not cut within 10 s")
			assert.GreaterOrEqual(t, time.Since(start), cut-50*time.Millisecond)
			require.Eventually(t, func() bool { return ts.Stats().HandshakesFailed == 1 }, 5*time.Second, 5*time.Millisecond)
		}},
		{"the accept loop serves others meanwhile", 4, time.Minute, func(t *testing.T, ts *testServer, stalled net.Conn) {
			c := dialTLS(t, ts.Addr, fx.client)
			require.NoError(t, c.Send(core.RequestHeader{Op: core.OpNoop, JobID: 1}, []byte("a")))
			assert.Equal(t, core.StatusOK, recvAll(t, c, 1)[0].Status)
			assert.Equal(t, 2, ts.Stats().ConnsNow, "the handshaking connection holds a slot")
		}},
		{"a handshaking connection counts against max-conns", 1, cut, func(t *testing.T, ts *testServer, stalled net.Conn) {
			start := time.Now()
			c := dialTLS(t, ts.Addr, fx.client) // served once the stalled one is cut
			require.NoError(t, c.Send(core.RequestHeader{Op: core.OpNoop, JobID: 1}, []byte("a")))
			assert.Equal(t, core.StatusOK, recvAll(t, c, 1)[0].Status)
			assert.GreaterOrEqual(t, time.Since(start), cut/2, "served while the slot was held")
			st := ts.Stats()
			assert.Equal(t, 1, st.ConnsMax)
			assert.Equal(t, uint64(1), st.HandshakesFailed)
		}},
		{"shutdown does not wait for a handshake", 4, time.Minute, func(t *testing.T, ts *testServer, stalled net.Conn) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			require.NoError(t, ts.Shutdown(ctx))
			assert.Zero(t, ts.Stats().HandshakesFailed, "an aborted handshake is not the client's failure")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, core.Config{Pool: chanPool(1, 4), TLS: fx.server,
				Limits: core.Limits{MaxConns: tt.maxConns, HandshakeTimeout: tt.timeout}})
			stalled, err := net.Dial("tcp", ts.Addr) // connects and never says hello
			require.NoError(t, err)
			defer stalled.Close()
			waitConns(t, ts, 1)
			tt.check(t, ts, stalled)
		})
	}
}

// logCounter is a slog.Handler that counts records by message.
type logCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (l *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCounter) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logCounter) WithGroup(string) slog.Handler            { return l }

func (l *logCounter) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n[r.Message]++
	return nil
}

func (l *logCounter) count(msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n[msg]
}
