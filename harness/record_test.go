package harness_test

import (
	"bytes"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/perf/benchfmt"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness"
	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// syntheticMetrics returns the metrics of a run with latencies spread from 1 ms to
// about 100 ms, as a run of scenario against strategy might measure.
func syntheticMetrics(scenario, strategy string, rep int) *harness.Metrics {
	r := &harness.Metrics{
		Scenario: scenario, Strategy: strategy, Rep: rep, Loop: harness.OpenLoop,
		Start: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Elapsed: time.Second, Capacity: 1000,
		Scheduled: 1000, Sent: 1000, Total: 1200,
		Latency: loadclient.NewHistogram(), Queue: loadclient.NewHistogram(), Service: loadclient.NewHistogram(),
		InProcess: true, PeakGoroutines: 40 + rep, PeakHeap: 1 << 20,
	}
	r.Status[core.StatusOK] = 900
	r.Status[core.StatusBusy] = 100
	for i := range 900 {
		d := time.Millisecond + time.Duration(i*i)*time.Microsecond/8
		r.Latency.Record(d)
		r.Queue.Record(d / 2)
		r.Service.Record(d / 2)
	}
	for i := range 50 {
		r.Series = append(r.Series, harness.Sample{At: time.Duration(i) * 10 * time.Millisecond, Goroutines: 10 + i, Heap: uint64(i) << 20})
	}
	return r
}

func TestRecordRoundTrip(t *testing.T) {
	dir := t.TempDir()
	r := syntheticMetrics("open-50", "chan-pool", 2)
	path, err := harness.WriteRecord(dir, r)
	require.NoError(t, err)
	assert.Equal(t, "open-50_chan-pool_002.json", filepath.Base(path))

	got, err := harness.ReadRecord(path)
	require.NoError(t, err)
	assert.Equal(t, r.Figures(), got.Figures())
	assert.True(t, r.Latency.Equals(got.Latency.Histogram), "histogram survives its encoding")
	assert.Equal(t, r.Series, got.Series)
	assert.True(t, r.Start.Equal(got.Start))

	all, err := harness.ReadRecords(dir)
	require.NoError(t, err)
	assert.Len(t, all, 1)
}

func TestMerge(t *testing.T) {
	a := syntheticMetrics("open-90", "remote", 0)
	b := syntheticMetrics("open-90", "remote", 0)
	b.Start = a.Start.Add(100 * time.Millisecond)

	m, err := harness.Merge(a, b)
	require.NoError(t, err)
	assert.Equal(t, uint64(1800), m.Status[core.StatusOK])
	assert.Equal(t, int64(1800), m.Latency.Count())
	assert.Equal(t, a.Latency.Quantile(0.99), m.Latency.Quantile(0.99), "same distribution, same quantiles")
	assert.Equal(t, 1100*time.Millisecond, m.Elapsed, "the measured period spans both")
	assert.False(t, m.InProcess, "server-side figures describe one process and are dropped")
	assert.Equal(t, "remote", m.Strategy)

	_, err = harness.Merge(a, syntheticMetrics("burst", "remote", 0))
	assert.ErrorIs(t, err, harness.ErrMismatch)
	_, err = harness.Merge()
	assert.ErrorIs(t, err, harness.ErrMismatch)
}

// TestWriteBenchmark reads what WriteBenchmark writes with benchstat's own
// parser: one run is one result, named as the in-process benchmark names
// it, with every figure in its unit.
func TestWriteBenchmark(t *testing.T) {
	m := syntheticMetrics("open-50", "remote", 0)
	var buf bytes.Buffer
	require.NoError(t, harness.WriteBenchmark(&buf, m))

	r := benchfmt.NewReader(&buf, "raw.txt")
	require.True(t, r.Scan(), "a line: %v", r.Err())
	res, ok := r.Result().(*benchfmt.Result)
	require.True(t, ok, "a benchmark result, not %v", r.Result())
	assert.Equal(t, "Scenario/scenario=open-50/strategy=remote", string(res.Name.Full()), "the name, less its Benchmark prefix")
	assert.Equal(t, 1, res.Iters, "one iteration")
	want := map[string]float64{"ns/op": float64(m.Elapsed.Nanoseconds())}
	for _, f := range m.Figures() {
		want[f.Unit] = f.Value
	}
	got := map[string]float64{}
	for _, v := range res.Values {
		if v.OrigUnit != "" { // benchfmt tidied the unit
			v.Unit, v.Value = v.OrigUnit, v.OrigValue
		}
		got[v.Unit] = v.Value
	}
	require.ElementsMatch(t, slices.Collect(maps.Keys(want)), slices.Collect(maps.Keys(got)))
	for unit, v := range want {
		assert.InDelta(t, v, got[unit], math.Abs(v)*1e-5, unit) // written with six significant digits
	}
	assert.False(t, r.Scan(), "one line per run")
}

func TestLoadLibrary(t *testing.T) {
	dir, err := harness.FindImageDir()
	require.NoError(t, err)
	lib, err := harness.LoadLibrary(dir)
	require.NoError(t, err)
	for _, set := range []harness.ImageSet{harness.SmallImages, harness.LargeImages, harness.WebImages, harness.TinyImages} {
		imgs, err := lib.Select(set)
		require.NoError(t, err, set.String())
		for _, img := range imgs {
			assert.True(t, set.Contains(img.Pixels()), "%s in %s", img.Name, set)
		}
	}

	_, err = harness.LoadLibrary(t.TempDir())
	assert.ErrorIs(t, err, harness.ErrNoImages)
	bad := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bad, "x.png"), []byte("not a png"), 0o644))
	_, err = harness.LoadLibrary(bad)
	assert.Error(t, err)
}

func TestFigures(t *testing.T) {
	r := syntheticMetrics("open-50", "chan-pool", 0)
	units := func(ms []harness.Figure) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Unit)
		}
		return out
	}
	assert.Equal(t, []string{"imgs/s", "goodput/s", "offered/s", "p50-ns", "p99-ns", "p999-ns",
		"busy/op", "late/op", "lost/op", "capacity/s", "utilisation", "peak-goroutines", "peak-heap-B", "leaked-goroutines"}, units(r.Figures()))

	empty := syntheticMetrics("open-50", "chan-pool", 1)
	empty.Latency = loadclient.NewHistogram()
	empty.InProcess = false
	assert.NotContains(t, units(empty.Figures()), "p99-ns", "no latency measured is not a latency of 0")

	mean := harness.MeanFigures([]*harness.Metrics{r, empty})
	assert.Equal(t, units(r.Figures()), units(mean))
	byUnit := map[string]float64{}
	for _, m := range mean {
		byUnit[m.Unit] = m.Value
	}
	assert.InDelta(t, 900.0, byUnit["goodput/s"], 1e-9)
	assert.InDelta(t, float64(r.Latency.Quantile(0.99)), byUnit["p99-ns"], 1e-9, "averaged over the runs that have it")
	assert.InDelta(t, 0.1, byUnit["busy/op"], 1e-9)
}
