package harness

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tcpimg/tcpimg/harness/loadclient"
)

// MinBlock is the shortest measured block [Interleave] accepts: a block
// shorter than this holds too few answers at a few hundred a second to
// say anything by itself, and its warm-up would cost more than it
// measures.
const MinBlock = 250 * time.Millisecond

// ErrBadInterleave is wrapped by every error [Interleave] returns for a
// request it cannot serve.
var ErrBadInterleave = errors.New("cannot interleave")

// Interleave runs s against two targets, gens[0] and gens[1], in blocks
// that alternate between them, and returns what each measured, as if its
// blocks had been one run. The measured period is cut into that many equal
// blocks; block b runs s against both targets one after the other, with the
// same seed (the same arrival times and the same jobs) and each with s's
// whole warm-up first, in the order A B for even b and B A for odd b (A B
// B A A B ...). A machine whose speed drifts, as a shared one does for
// seconds at a time, then slows both alike, where two whole runs one
// after the other would give the drift to one of them; the order cancels a
// drift that is linear over two blocks. The two targets run the same
// scenario at the same rate: capacity, when s's rate is a fraction of it.
//
// [CheckInterleave] says which scenarios and block counts it takes. Each
// target's Metrics counts its blocks' answers, histograms and bins (20 per
// block, whatever s.BinWidth says), in block order; its Elapsed is the sum
// of the blocks' measured periods and its steady-state check compares its
// first half of blocks with its second.
func Interleave(ctx context.Context, gens [2]*Generator, s Scenario, capacity float64, blocks int) ([2]*Metrics, error) {
	var out [2]*Metrics
	if err := CheckInterleave(s, blocks); err != nil {
		return out, err
	}
	block := s.clone()
	block.Duration = s.Duration / time.Duration(blocks)
	block.BinWidth = 0
	var runs [2][]*Metrics
	for b := range blocks {
		// Distinct per block, and apart from the seeds of other
		// repetitions (small integers added to a scenario's seed).
		block.Seed = s.Seed ^ uint64(b+1)*0x9e3779b97f4a7c15
		order := [2]int{0, 1}
		if b%2 == 1 {
			order = [2]int{1, 0}
		}
		for _, i := range order {
			m, err := gens[i].Run(ctx, block, capacity)
			if err != nil {
				return out, fmt.Errorf("block %d of %d, %s target: %w", b+1, blocks, [2]string{"first", "second"}[i], err)
			}
			runs[i] = append(runs[i], m)
		}
	}
	for i := range runs {
		m, err := concat(runs[i])
		if err != nil {
			return out, err
		}
		if m.Window.Set() {
			m.Steady = CheckSteady(&m.Window)
		}
		out[i] = m
	}
	return out, nil
}

// CheckInterleave reports why [Interleave] cannot run s in blocks, or
// nil: blocks must be even (each target goes first equally often) and
// leave each block at least MinBlock, and s must be valid and hold one
// load for a fixed period (no Shape, Jobs, Model or RecoveryWindow).
func CheckInterleave(s Scenario, blocks int) error {
	if err := s.Validate(); err != nil {
		return err
	}
	switch {
	case blocks < 2 || blocks%2 != 0:
		return fmt.Errorf("%w: %d blocks; it takes an even number, at least 2, for each target to go first as often", ErrBadInterleave, blocks)
	case !s.steady() || s.Model != nil || s.RecoveryWindow > 0:
		return fmt.Errorf("%w: %s does not hold one load for a fixed period", ErrBadInterleave, s.Name)
	case s.Duration/time.Duration(blocks) < MinBlock:
		return fmt.Errorf("%w: %s's %v in %d blocks leaves less than %v each; use fewer blocks or a longer scenario", ErrBadInterleave, s.Name, s.Duration, blocks, MinBlock)
	}
	return nil
}

// concat joins the metrics of consecutive runs of one scenario against one
// target into one run whose measured period is theirs end to end: counts
// add up, histograms merge, and the windows' bins follow one another on a
// clock that skips the time between the runs. Unlike [Merge], which joins
// runs made at the same time, the periods add up.
func concat(rs []*Metrics) (*Metrics, error) {
	if len(rs) == 0 {
		return nil, fmt.Errorf("%w: nothing to join", ErrMismatch)
	}
	first := rs[0]
	m := &Metrics{
		Scenario: first.Scenario, Strategy: first.Strategy, Loop: first.Loop, Rep: first.Rep,
		Start: first.Start, Capacity: first.Capacity, CapacitySpread: first.CapacitySpread,
		Timeout: first.Timeout, TLS: first.TLS,
		Latency: loadclient.NewHistogram(), Queue: loadclient.NewHistogram(), Service: loadclient.NewHistogram(),
	}
	w := &m.Window
	w.From = first.Window.From
	w.To = w.From
	for _, r := range rs {
		if r.Scenario != first.Scenario {
			return nil, fmt.Errorf("%w: scenario %q and %q", ErrMismatch, first.Scenario, r.Scenario)
		}
		if r.InProcess || r.Isolated != nil {
			return nil, fmt.Errorf("%w: %s's server-side figures describe one process's run", ErrMismatch, r.Scenario)
		}
		m.Elapsed += r.Elapsed
		m.addCounts(r)
		m.TimedOut += r.TimedOut
		m.AfterTimeout += r.AfterTimeout
		m.Retries += r.Retries
		m.RetriesUnsent += r.RetriesUnsent

		rw := &r.Window
		w.To = w.To.Add(rw.To.Sub(rw.From))
		for st, c := range rw.Status {
			w.Status[st] += c
		}
		w.InTime += rw.InTime
		w.AfterTimeout += rw.AfterTimeout
		w.ServiceUS += rw.ServiceUS
		w.WastedUS += rw.WastedUS
		w.Bins = append(w.Bins, rw.Bins...)
	}
	return m, nil
}
