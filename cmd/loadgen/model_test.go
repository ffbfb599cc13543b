package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/harness"
)

// modelRecord is a record of a model run whose mean wait is ratio times
// the model's, known to ±half of it.
func modelRecord(scenario, strategy string, rep int, ratio, half float64) *harness.Metrics {
	return &harness.Metrics{Scenario: scenario, Strategy: strategy, Rep: rep, Model: &harness.ModelFit{
		Workers: 2, Arrivals: 5000, ArrivalRate: 100, Utilisation: 0.5, Sojourn: 0.015,
		Wait: 0.005 * ratio, WaitHalf: 0.005 * half, Batches: 10, ModelWait: 0.005, Tolerance: 0.1,
		Occupancy: 1.5, OccupancySamples: 100,
	}}
}

func TestModelPools(t *testing.T) {
	tests := []struct {
		name     string
		give     []*harness.Metrics
		wantCode int
		wantOut  []string // lines of stdout that must appear, by prefix
		wantErr  string
	}{
		{
			name: "every check passes",
			give: []*harness.Metrics{
				modelRecord("model-mm-50", "chan-pool", 0, 1.02, 0.05), modelRecord("model-mm-50", "chan-pool", 1, 0.98, 0.05),
				{Scenario: "open-50", Strategy: "chan-pool"},
			},
			wantCode: 0,
			wantOut:  []string{"model-mm-50  chan-pool  2     10000     0.500  1.000"},
		},
		{
			name: "one fails",
			give: []*harness.Metrics{
				modelRecord("model-mm-50", "chan-pool", 0, 1.00, 0.05), modelRecord("model-md-50", "mutex-queue", 0, 1.5, 0.05),
			},
			wantCode: 1,
			wantOut:  []string{"model-md-50  mutex-queue", "FAIL"},
			wantErr:  "model: 1 of 2: model checks did not pass",
		},
		{
			name:     "no model records",
			give:     []*harness.Metrics{{Scenario: "open-50", Strategy: "chan-pool"}},
			wantCode: 1,
			wantErr:  "no record of a model run",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, r := range tt.give {
				_, err := harness.WriteRecord(filepath.Join(dir, "records"), r)
				require.NoError(t, err)
			}
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tt.wantCode, mainCode([]string{"model", "-in", dir}, &stdout, &stderr))
			for _, want := range tt.wantOut {
				assert.Contains(t, stdout.String(), want)
			}
			assert.Contains(t, stderr.String(), tt.wantErr)
			if tt.wantErr == "" {
				assert.Empty(t, stderr.String())
			}
		})
	}
}

// TestModelPoolsFolders pools the repetitions of two runs' folders.
func TestModelPoolsFolders(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	_, err := harness.WriteRecord(filepath.Join(a, "records"), modelRecord("model-mm-50", "chan-pool", 0, 1.02, 0.05))
	require.NoError(t, err)
	_, err = harness.WriteRecord(filepath.Join(b, "records"), modelRecord("model-mm-50", "chan-pool", 1, 0.98, 0.05))
	require.NoError(t, err)
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, mainCode([]string{"model", "-in", a, "-in", b}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "model-mm-50  chan-pool  2     10000     0.500  1.000")
}

func TestModelBadInput(t *testing.T) {
	tests := []struct {
		name    string
		give    []string
		wantErr string
	}{
		{"without -in", []string{"model"}, "model: -in is required"},
		{"stray argument", []string{"model", "-in", t.TempDir(), "x"}, `model: unexpected argument "x"`},
		{"missing folder", []string{"model", "-in", filepath.Join(t.TempDir(), "nope")}, "no such folder"},
		{"a second folder missing", []string{"model", "-in", t.TempDir(), "-in", filepath.Join(t.TempDir(), "nope")}, "no such folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, 2, mainCode(tt.give, &stdout, &stderr))
			assert.Empty(t, stdout.String())
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
			assert.Contains(t, stderr.String(), tt.wantErr)
		})
	}
}
