package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/tcpimg/tcpimg/core"
)

// Stats is the document GET /stats returns. It is meant for load
// generators that watch a server in another process: the counters are one
// consistent snapshot, and Runtime keeps peaks between reads, which a
// scraper polling now and then would miss. Fields are only ever added.
type Stats struct {
	// Server is core.Server.Stats() with Go's field names, as the
	// harness's records hold it.
	Server core.Stats `json:"server"`
	// Pool is the pool's own account, when its strategy keeps one.
	Pool *core.PoolStats `json:"pool,omitempty"`
	// Admit is the admission limit's account, when the server has one
	// (-admit).
	Admit *core.AdmitStats `json:"admit,omitempty"`
	// Runtime is the process's goroutines and heap.
	Runtime Runtime `json:"runtime"`
	// Ready is what /readyz says: false once shutdown has begun.
	Ready bool `json:"ready"`
	// UptimeSeconds counts from the admin server's creation.
	UptimeSeconds float64 `json:"uptime_s"`
}

// Runtime is the process's goroutines and heap, sampled every
// procstat.SampleEvery, with the highest values since PeaksSince (the
// start, or the last POST /stats/reset-peaks). The names and meanings are
// those of the harness's records.
type Runtime struct {
	Goroutines     int       `json:"goroutines"`
	PeakGoroutines int       `json:"peak_goroutines"`
	Heap           uint64    `json:"heap"` // bytes in heap objects
	PeakHeap       uint64    `json:"peak_heap"`
	PeaksSince     time.Time `json:"peaks_since"`
}

func (a *Server) snapshot() Stats {
	now, peak, since := a.peaks.Get()
	s := Stats{
		Server: a.srv.Stats(),
		Runtime: Runtime{
			Goroutines: now.Goroutines, PeakGoroutines: peak.Goroutines,
			Heap: now.Heap, PeakHeap: peak.Heap, PeaksSince: since,
		},
		Ready:         a.Ready(),
		UptimeSeconds: time.Since(a.started).Seconds(),
	}
	if ps, ok := a.srv.PoolStats(); ok {
		s.Pool = &ps
	}
	if as, ok := a.srv.AdmitStats(); ok {
		s.Admit = &as
	}
	return s
}

func (a *Server) stats(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, a.snapshot())
}

func (a *Server) resetPeaks(w http.ResponseWriter, _ *http.Request) {
	s := a.snapshot()
	a.peaks.Reset()
	writeJSON(w, s)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// FetchStats reads GET /stats from the admin listener at base (as
// "http://127.0.0.1:9082").
func FetchStats(ctx context.Context, base string) (Stats, error) {
	return fetch(ctx, http.MethodGet, base+"/stats")
}

// ResetPeaks reads the stats and starts the peaks again (POST
// /stats/reset-peaks): call it before a run, and FetchStats after it.
func ResetPeaks(ctx context.Context, base string) (Stats, error) {
	return fetch(ctx, http.MethodPost, base+"/stats/reset-peaks")
}

func fetch(ctx context.Context, method, url string) (Stats, error) {
	var s Stats
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return s, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return s, fmt.Errorf("%s %s: %s", method, url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return s, fmt.Errorf("%s %s: %w", method, url, err)
	}
	return s, nil
}
