package core_test

import (
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
)

// testServer is a server on 127.0.0.1:0 whose Serve error is checked when
// the test ends.
type testServer struct {
	*core.Server
	Addr  string
	serve chan error
}

// startServer starts a server for one test and shuts it down (asserting a
// clean drain) in t.Cleanup.
func startServer(t *testing.T, cfg core.Config) *testServer {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv, err := core.NewServer(cfg)
	require.NoError(t, err)
	ts := &testServer{Server: srv, Addr: ln.Addr().String(), serve: make(chan error, 1)}
	go func() { ts.serve <- ts.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := ts.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
			ts.Close()
		}
		require.ErrorIs(t, <-ts.serve, core.ErrServerClosed)
	})
	return ts
}

// dial opens a client connection closed at the end of the test.
func dial(t *testing.T, addr string) *core.ClientConn {
	t.Helper()
	c, err := core.Dial(addr)
	require.NoError(t, err)
	c.MaxPayload = 64 << 20
	t.Cleanup(func() { c.Close() })
	return c
}

// recvAll reads n responses, failing the test on error or after 20 s.
func recvAll(t *testing.T, c *core.ClientConn, n int) []core.Response {
	t.Helper()
	c.Conn().SetReadDeadline(time.Now().Add(20 * time.Second))
	out := make([]core.Response, 0, n)
	for range n {
		r, err := c.Recv()
		require.NoError(t, err, "after %d responses", len(out))
		out = append(out, r)
	}
	return out
}

// expectClosed asserts that the server closes the connection: the next read
// ends with EOF (or a reset) rather than a response or a timeout.
func expectClosed(t *testing.T, c *core.ClientConn) {
	t.Helper()
	c.Conn().SetReadDeadline(time.Now().Add(10 * time.Second))
	r, err := c.Recv()
	require.Error(t, err, "want the connection closed, got a response %+v", r.ResponseHeader)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection still open after 10 s")
	}
}

// rawHeader encodes a request header with arbitrary bytes in every field.
func rawHeader(magic string, version, op, format, quality byte, id uint64, a1, a2, deadline, length uint32) []byte {
	b := make([]byte, 0, core.HeaderSize)
	b = append(b, magic...)
	b = append(b, version, op, format, quality)
	b = binary.BigEndian.AppendUint64(b, id)
	b = binary.BigEndian.AppendUint32(b, a1)
	b = binary.BigEndian.AppendUint32(b, a2)
	b = binary.BigEndian.AppendUint32(b, deadline)
	return binary.BigEndian.AppendUint32(b, length)
}

// forEachPool runs body as a subtest per registered pool strategy, so the
// server's behaviour is proven for every strategy it can run.
func forEachPool(t *testing.T, body func(t *testing.T, pool string)) {
	t.Helper()
	for _, name := range strategies.PoolNames() {
		t.Run("pool="+name, func(t *testing.T) { body(t, name) })
	}
}

// withPool sets cfg.Pool to the named strategy sized by size, through the
// same assembly as the server command (strategies.Spec.Apply).
func withPool(t *testing.T, pool string, size strategies.PoolConfig, cfg core.Config) core.Config {
	t.Helper()
	cfg, err := strategies.Spec{Pool: pool, PoolConfig: size}.Apply(cfg)
	require.NoError(t, err)
	return cfg
}

// noShedding sets CoDel's thresholds above anything a test queues, for the
// tests that count on every accepted job running: a loaded machine can
// stretch their queues past CoDel's defaults, and the codel pools would
// then rightly shed. What shedding does is TestCodelShedsStaleJobs's.
func noShedding(size strategies.PoolConfig) strategies.PoolConfig {
	size.CodelTarget, size.CodelInterval = time.Minute, time.Hour
	return size
}

// chanPool is the server's default pool with its size spelled out: workers
// over a buffered channel of queue slots (0 for a hand-off).
func chanPool(workers, queue int) core.Pool {
	return core.NewWorkerPool(workers, core.NewChanQueue(queue))
}
