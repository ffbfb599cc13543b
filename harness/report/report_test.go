package report

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoad(t *testing.T) {
	p, err := Load(writeFixture(t))
	require.NoError(t, err)

	assert.Equal(t, "2026-12-01-abc1234", p.Title)
	assert.Equal(t, fixtureBase, p.Baseline)
	assert.Equal(t, []string{fixtureBase, fixtureOther}, p.Strategies)
	assert.Equal(t, fixtureReps, p.Reps)
	assert.True(t, p.Unsteady)
	capacity, _ := Lookup(p.Conditions, "capacity")
	assert.Len(t, capacity.Values, fixtureReps, "one capacity line per repetition, each shown")
	mode, _ := Lookup(p.Conditions, "mode")
	assert.Empty(t, mode.Values)
	assert.Equal(t, []string{"server", "goos"}, keys(p.Other))
	assert.Contains(t, p.Load, "rep end: load average")
	assert.Equal(t, []string{RawFile, "benchstat.txt", ConditionsFile, RecordsDir + "/"}, p.Files)
	require.Len(t, p.Plots, 1)
	assert.Equal(t, "throughput.png", p.Plots[0].PNG)
	assert.True(t, strings.HasPrefix(string(p.Plots[0].SVG), "<svg"))

	require.Len(t, p.Grids, len(fixtureMetrics), "one grid per metric; steady is no grid")
	for i, g := range p.Grids {
		assert.Equal(t, fixtureMetrics[i], g.Metric.Unit)
		require.Len(t, g.Rows, 2)
		for _, r := range g.Rows {
			require.Len(t, r.Cells, 2)
			for _, c := range r.Cells {
				assert.Equal(t, fixtureClass(g.Metric.Unit, r.Scenario, c.Strategy), c.Class(), "%s %s %s", g.Metric.Unit, r.Scenario, c.Strategy)
				wantUnsteady := 0
				if c.Cell == fixtureUnsteady {
					wantUnsteady = 1
				}
				assert.Equal(t, wantUnsteady, c.Unsteady)
			}
		}
	}
	goodput := p.Grids[0].Rows[0].Cells[1]
	assert.Equal(t, "202", goodput.Median)
	assert.Equal(t, "±∞", goodput.CI)
	assert.Equal(t, "+98.0%", goodput.Delta)
	assert.Equal(t, "p=0.008", goodput.P)
	assert.Equal(t, []Tally{{Strategy: fixtureOther, Better: 2, Worse: 3, Same: 5}}, p.Tallies())
	assert.True(t, p.InfiniteCI())
	assert.False(t, p.Undirected())
}

func keys(fs []Field) []string {
	var ks []string
	for _, f := range fs {
		ks = append(ks, f.Key)
	}
	return ks
}

func TestLoadBaseline(t *testing.T) {
	tests := []struct {
		name         string
		strategies   []string
		wantBaseline string
		wantColumns  []string
	}{
		{"the default strategy, moved first", []string{"ants", "chan-pool", "pond"}, "chan-pool", []string{"chan-pool", "ants", "pond"}},
		{"without it, the first strategy", []string{"remote", "other"}, "remote", []string{"remote", "other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var raw strings.Builder
			for _, st := range tt.strategies {
				raw.WriteString("BenchmarkScenario/scenario=a/strategy=" + st + " 1 5 ns/op 10 goodput/s\n")
			}
			require.NoError(t, os.WriteFile(filepath.Join(dir, RawFile), []byte(raw.String()), 0o644))
			p, err := Load(dir)
			require.NoError(t, err)
			assert.Equal(t, tt.wantBaseline, p.Baseline)
			assert.Equal(t, tt.wantColumns, p.Strategies)
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name   string
		raw    *string // nil: no raw.txt
		wantIs error
	}{
		{"no raw.txt", nil, ErrNoRun},
		{"no results in raw.txt", ptr("goos: linux\nPASS\n"), ErrNoResults},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.raw != nil {
				require.NoError(t, os.WriteFile(filepath.Join(dir, RawFile), []byte(*tt.raw), 0o644))
			}
			_, err := Load(dir)
			assert.True(t, errors.Is(err, tt.wantIs), "%v", err)
			_, err = WriteFile(dir, "")
			assert.True(t, errors.Is(err, tt.wantIs), "%v", err)
			_, statErr := os.Stat(filepath.Join(dir, PageFile))
			assert.True(t, errors.Is(statErr, os.ErrNotExist), "no page written")
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestWriteFile(t *testing.T) {
	dir := writeFixture(t)
	other := filepath.Join(t.TempDir(), "elsewhere.html")
	tests := []struct {
		name string
		out  string
		want string
	}{
		{"default: index.html in the folder", "", filepath.Join(dir, PageFile)},
		{"another file", other, other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := WriteFile(dir, tt.out)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			b, err := os.ReadFile(got)
			require.NoError(t, err)
			page := string(b)
			assert.True(t, strings.HasPrefix(page, "<!DOCTYPE html>"))
			assert.Equal(t, 2*2*len(fixtureMetrics), strings.Count(page, `<td class="cell `))
			assert.Empty(t, external.FindAllString(page, -1), "the page loads nothing and runs nothing")
			for _, absent := range []string{"<link", "<iframe", "<?xml"} {
				assert.False(t, strings.Contains(page, absent), "the page holds %s", absent)
			}
			entries, err := os.ReadDir(filepath.Dir(got))
			require.NoError(t, err)
			for _, e := range entries {
				assert.False(t, strings.HasPrefix(e.Name(), ".index-"), "temporary file %s left behind", e.Name())
			}
		})
	}
}

func TestDelta(t *testing.T) {
	assert.True(t, math.IsNaN(delta(0, 1)))
	assert.Equal(t, 0.0, delta(0, 0))
	assert.Equal(t, 100.0, delta(1, 2))
}

func TestLoadGrids(t *testing.T) {
	tests := []struct {
		name           string
		units          string // the values and units of every line
		wantGrids      []string
		wantUndirected bool
		wantUnsteady   bool
	}{
		{"only the main metrics, in the page's order", "5 p99-ns 3 goodput/s 7 imgs/s", []string{"goodput/s", "p99-ns"}, false, false},
		{"utilisation, which has no better direction", "3 goodput/s 0.8 utilisation", []string{"goodput/s", "utilisation"}, true, false},
		{"a failed steady-state check", "3 goodput/s 0 steady", []string{"goodput/s"}, false, true},
		{"an unsteady marker", "3 goodput/s 1 unsteady", []string{"goodput/s"}, false, true},
		{"steady runs", "3 goodput/s 1 steady 0 unsteady", []string{"goodput/s"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			raw := "BenchmarkScenario/scenario=a/strategy=chan-pool 1 5 ns/op " + tt.units + "\n" +
				"BenchmarkScenario/scenario=a/strategy=ants 1 5 ns/op " + tt.units + "\n"
			require.NoError(t, os.WriteFile(filepath.Join(dir, RawFile), []byte(raw), 0o644))
			p, err := Load(dir)
			require.NoError(t, err)
			var units []string
			for _, g := range p.Grids {
				units = append(units, g.Metric.Unit)
			}
			assert.Equal(t, tt.wantGrids, units)
			assert.Equal(t, tt.wantUndirected, p.Undirected())
			assert.Equal(t, tt.wantUnsteady, p.Unsteady)
		})
	}
}
