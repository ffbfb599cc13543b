package plot_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness"
	"github.com/tcpimg/tcpimg/harness/loadclient"
	"github.com/tcpimg/tcpimg/harness/plot"
)

// synthetic returns records of a pretend matrix: strategy i saturates at
// 1000/(i+1) requests a second, and its latency grows with the load.
func synthetic() []*harness.Metrics {
	var rs []*harness.Metrics
	for i, st := range []string{"chan-pool", "unbounded"} {
		capacity := 1000.0 / float64(i+1)
		for _, sc := range []string{"open-50", "open-90", "open-200", "burst", "saturate"} {
			s, err := harness.Lookup(sc)
			if err != nil {
				panic(err)
			}
			for rep := range 2 {
				offered := capacity * max(s.RateOfCapacity, 1)
				r := &harness.Metrics{
					Scenario: sc, Strategy: st, Loop: s.Loop, Rep: rep,
					Elapsed: time.Second, Capacity: capacity,
					Scheduled: uint64(offered), Sent: uint64(offered),
					Latency: loadclient.NewHistogram(), InProcess: true,
				}
				r.Status[core.StatusOK] = uint64(min(offered, capacity))
				for k := range 1000 {
					r.Latency.Record(time.Duration(k*(i+1)) * time.Duration(offered) * time.Nanosecond)
				}
				for k := range 100 {
					r.Series = append(r.Series, harness.Sample{At: time.Duration(k) * 20 * time.Millisecond, Goroutines: 10 + k*(i+1), Heap: uint64(k) << 20})
				}
				rs = append(rs, r)
			}
		}
	}
	return rs
}

func TestWriteAll(t *testing.T) {
	dir := t.TempDir()
	written, err := plot.WriteAll(dir, synthetic())
	require.NoError(t, err)

	var want []string
	for _, name := range []string{"throughput", "latency-open-50", "latency-open-90", "latency-open-200", "latency-burst", "burst-goroutines", "burst-heap"} {
		for _, ext := range plot.Formats {
			want = append(want, filepath.Join(dir, name+"."+ext))
		}
	}
	assert.ElementsMatch(t, want, written)

	tests := []struct {
		ext        string
		wantPrefix []byte
	}{
		{"svg", []byte("<?xml")},
		{"png", []byte("\x89PNG\r\n\x1a\n")},
	}
	for _, tt := range tests {
		t.Run(tt.ext, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, "throughput."+tt.ext))
			require.NoError(t, err)
			assert.Greater(t, len(b), 1000, "a picture, not an empty file")
			assert.True(t, bytes.HasPrefix(b, tt.wantPrefix), "starts with %q", tt.wantPrefix)
		})
	}
}

func TestWriteAllSkipsMissingData(t *testing.T) {
	dir := t.TempDir()
	var closedOnly []*harness.Metrics
	for _, r := range synthetic() {
		if r.Scenario == "saturate" {
			closedOnly = append(closedOnly, r)
		}
	}
	written, err := plot.WriteAll(dir, closedOnly)
	require.NoError(t, err)
	assert.Empty(t, written, "a closed loop alone makes no picture")

	_, err = plot.Throughput(nil)
	assert.ErrorIs(t, err, plot.ErrNoData)
	_, err = plot.Spectrum(nil, "open-50")
	assert.ErrorIs(t, err, plot.ErrNoData)
	_, err = plot.Goroutines(nil, "burst")
	assert.ErrorIs(t, err, plot.ErrNoData)
}
