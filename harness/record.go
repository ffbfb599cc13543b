package harness

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// ErrMismatch is returned when the metrics of different scenarios are
// merged.
var ErrMismatch = errors.New("metrics do not match")

// Records are a run's Metrics as JSON, one file per run, histograms in
// HdrHistogram's encoding: what the plots read and what cmd/loadgen merge
// combines. A folder of records sits beside the benchmark text of the same
// runs.

// RecordName returns the file name of r's record in a records folder:
// SCENARIO_STRATEGY_REP.json.
func RecordName(r *Metrics) string {
	return fmt.Sprintf("%s_%s_%03d.json", r.Scenario, r.Strategy, r.Rep)
}

// WriteRecord writes r into dir (created if needed) and returns its path.
func WriteRecord(dir string, r *Metrics) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("record %s: %w", RecordName(r), err)
	}
	path := filepath.Join(dir, RecordName(r))
	return path, os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadRecord reads one record.
func ReadRecord(path string) (*Metrics, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Metrics
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("record %s: %w", path, err)
	}
	return &r, nil
}

// ReadRecords reads every .json record of dir, in name order.
func ReadRecords(dir string) ([]*Metrics, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	slices.Sort(paths)
	out := make([]*Metrics, 0, len(paths))
	for _, p := range paths {
		r, err := ReadRecord(p)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Merge combines the metrics of one scenario run at the same time from
// several load generators against one target, as if one generator had made
// all their requests: counts add up, histograms merge, and the measured
// period spans them all. The server-side fields and the time series, which
// describe one process, are dropped.
func Merge(rs ...*Metrics) (*Metrics, error) {
	if len(rs) == 0 {
		return nil, fmt.Errorf("%w: nothing to merge", ErrMismatch)
	}
	first := rs[0]
	m := &Metrics{
		Scenario: first.Scenario, Strategy: first.Strategy, Loop: first.Loop, Rep: first.Rep,
		Start: first.Start, Capacity: first.Capacity,
		Latency: loadclient.NewHistogram(), Queue: loadclient.NewHistogram(), Service: loadclient.NewHistogram(),
	}
	var labels []string
	for _, r := range rs {
		if r.Scenario != first.Scenario {
			return nil, fmt.Errorf("%w: scenario %q and %q", ErrMismatch, first.Scenario, r.Scenario)
		}
		if !slices.Contains(labels, r.Strategy) {
			labels = append(labels, r.Strategy)
		}
		end := m.Start.Add(m.Elapsed)
		if e := r.Start.Add(r.Elapsed); e.After(end) {
			end = e
		}
		if r.Start.Before(m.Start) {
			m.Start = r.Start
		}
		m.Elapsed = end.Sub(m.Start)
		m.Capacity = max(m.Capacity, r.Capacity)
		m.addCounts(r)
	}
	m.Strategy = strings.Join(labels, "+")
	return m, nil
}

// addCounts adds r's request and answer counts to m's and merges its
// histograms into m's.
func (m *Metrics) addCounts(r *Metrics) {
	m.Scheduled += r.Scheduled
	m.Sent += r.Sent
	m.Total += r.Total
	m.Late += r.Late
	m.Unsent += r.Unsent
	for i, c := range r.Status {
		m.Status[i] += c
	}
	m.Lost += r.Lost
	m.Unexpected += r.Unexpected
	m.Latency.Add(r.Latency)
	m.Queue.Add(r.Queue)
	m.Service.Add(r.Service)
}
