package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/tcpimg/tcpimg/admin"
	"github.com/tcpimg/tcpimg/core"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fixture is a core server that has answered one NOOP, and its admin
// endpoints.
type fixture struct {
	srv   *core.Server
	admin *admin.Server
	base  string // http://127.0.0.1:PORT
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	pool := core.NewWorkerPool(1, core.NewChanQueue(4))
	srv, err := core.NewServer(core.Config{Pool: pool, Logger: log})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	a := admin.New(srv)
	aln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	aserved := make(chan error, 1)
	go func() { aserved <- a.Serve(aln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(t, a.Shutdown(ctx))
		assert.ErrorIs(t, <-aserved, http.ErrServerClosed)
		assert.NoError(t, srv.Shutdown(ctx))
		assert.ErrorIs(t, <-served, core.ErrServerClosed)
	})

	c, err := core.Dial(ln.Addr().String())
	require.NoError(t, err)
	require.NoError(t, c.Send(core.RequestHeader{Op: core.OpNoop, JobID: 1}, []byte("x")))
	_, err = c.Recv()
	require.NoError(t, err)
	require.NoError(t, c.Close())
	// A job is counted accepted just after the pool takes it, which can be
	// after its answer reached the client, and the server sees the
	// connection close a moment after the client closed it: the tests
	// compare the stats of two moments, which must be the same.
	require.Eventually(t, func() bool {
		st := srv.Stats()
		return st.Completed == 1 && st.ConnsNow == 0
	}, 5*time.Second, time.Millisecond)
	return fixture{srv: srv, admin: a, base: "http://" + aln.Addr().String()}
}

func get(t *testing.T, method, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func TestEndpoints(t *testing.T) {
	fx := newFixture(t)
	// Something on the default mux must not leak onto the admin port.
	http.DefaultServeMux.HandleFunc("/admin-test-default-mux", func(http.ResponseWriter, *http.Request) {})
	tests := []struct {
		method, path string
		wantCode     int
		wantBody     []string
	}{
		{"GET", "/healthz", 200, []string{"ok"}},
		{"GET", "/readyz", 200, []string{"ready"}},
		{"GET", "/metrics", 200, []string{"tcpimg_jobs_accepted_total 1\n", "tcpimg_jobs_completed_total 1\n",
			"tcpimg_tls_handshakes_failed_total 0\n", "go_goroutines ", "process_cpu_seconds_total "}},
		{"GET", "/debug/pprof/", 200, []string{"goroutine", "heap", "profile"}},
		{"GET", "/debug/pprof/goroutine?debug=1", 200, []string{"goroutine profile:"}},
		{"GET", "/debug/pprof/cmdline", 200, nil},
		{"GET", "/stats", 200, []string{`"Accepted": 1`, `"peak_goroutines"`, `"ready": true`}},
		{"POST", "/stats/reset-peaks", 200, []string{`"peak_heap"`}},
		{"GET", "/stats/reset-peaks", 405, nil},
		{"GET", "/admin-test-default-mux", 404, nil},
		{"GET", "/debug/vars", 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			code, body := get(t, tt.method, fx.base+tt.path)
			assert.Equal(t, tt.wantCode, code, body)
			for _, w := range tt.wantBody {
				assert.Contains(t, body, w)
			}
		})
	}
}

func TestReadyzTurnsWhenDraining(t *testing.T) {
	fx := newFixture(t)
	code, _ := get(t, "GET", fx.base+"/readyz")
	require.Equal(t, 200, code)
	fx.admin.SetDraining()
	code, body := get(t, "GET", fx.base+"/readyz")
	assert.Equal(t, 503, code)
	assert.Contains(t, body, "draining")
	code, _ = get(t, "GET", fx.base+"/healthz")
	assert.Equal(t, 200, code, "a draining process is still alive")
	s, err := admin.FetchStats(context.Background(), fx.base)
	require.NoError(t, err)
	assert.False(t, s.Ready)
}

// TestStatsForLoadGenerators reads the document as a load generator
// would: peaks never below the current values, and a reset that starts
// them again.
func TestStatsForLoadGenerators(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	s, err := admin.FetchStats(ctx, fx.base)
	require.NoError(t, err)
	assert.Equal(t, fx.srv.Stats(), s.Server)
	require.NotNil(t, s.Pool)
	assert.Equal(t, 1, s.Pool.Workers)
	assert.Positive(t, s.Runtime.Goroutines)
	assert.GreaterOrEqual(t, s.Runtime.PeakGoroutines, s.Runtime.Goroutines)
	assert.Positive(t, s.Runtime.Heap)
	assert.GreaterOrEqual(t, s.Runtime.PeakHeap, s.Runtime.Heap)

	// Raise the heap's peak, then reset it: the reset's answer still shows
	// the old peak, the next read a new one.
	ballast := bytes.Repeat([]byte{1}, 64<<20)
	require.Eventually(t, func() bool {
		s, err = admin.FetchStats(ctx, fx.base)
		return err == nil && s.Runtime.PeakHeap >= 64<<20
	}, 5*time.Second, time.Millisecond)
	runtime.KeepAlive(ballast)
	before, err := admin.ResetPeaks(ctx, fx.base)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, before.Runtime.PeakHeap, uint64(64<<20))
	after, err := admin.FetchStats(ctx, fx.base)
	require.NoError(t, err)
	assert.True(t, after.Runtime.PeaksSince.After(before.Runtime.PeaksSince))

	_, err = admin.FetchStats(ctx, fx.base+"/nowhere")
	assert.ErrorContains(t, err, "404")
}

// TestStatsJSONNames pins the document's field names: load generators,
// in Go or not, read them.
func TestStatsJSONNames(t *testing.T) {
	fx := newFixture(t)
	_, body := get(t, "GET", fx.base+"/stats")
	var doc map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(body), &doc))
	tests := []struct {
		section string // "" for the top level
		keys    []string
	}{
		{"", []string{"server", "pool", "runtime", "ready", "uptime_s"}},
		{"server", []string{"Accepted", "Completed", "InFlight", "Busy", "ConnsMax", "HandshakesFailed", "CertsRefused"}},
		{"runtime", []string{"goroutines", "peak_goroutines", "heap", "peak_heap", "peaks_since"}},
	}
	for _, tt := range tests {
		t.Run("section="+tt.section, func(t *testing.T) {
			m := map[string]json.RawMessage{}
			if tt.section == "" {
				m = doc
			} else {
				require.NoError(t, json.Unmarshal(doc[tt.section], &m))
			}
			for _, k := range tt.keys {
				assert.Contains(t, m, k)
			}
		})
	}
}
