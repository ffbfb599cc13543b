package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/tcpimg/tcpimg/harness"
)

// loadCmd runs scenarios against a target.
type loadCmd struct {
	target    string
	scenarios []harness.Scenario
	count     int
	out       string
	label     string
	images    string
	capacity  float64
	short     bool
	scale     float64
	rep       int
	list      bool
	tls       *tls.Config // nil: plain TCP

	// against, when set, is a second target that every scenario runs
	// against too, interleaved with target in blocks (harness.Interleave).
	against      string
	againstLabel string
	blocks       int
}

func (c *loadCmd) run(ctx context.Context, stdout, stderr io.Writer) error {
	lib, err := c.library()
	if err != nil {
		return err
	}
	out := stdout
	if c.out != "" {
		if err := os.MkdirAll(c.out, 0o755); err != nil {
			return err
		}
		raw, err := os.OpenFile(filepath.Join(c.out, "raw.txt"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		defer raw.Close()
		out = io.MultiWriter(stdout, raw)
	}
	tlsMode := "off"
	if c.tls != nil {
		tlsMode = "on"
	}
	header := map[string]string{"target": c.target, "label": c.label, "tls": tlsMode}
	if c.against != "" {
		header["against"] = fmt.Sprintf("%s, label %s, interleaved in %d blocks", c.against, c.againstLabel, c.blocks)
	}
	if err := writeHeader(out, header); err != nil {
		return err
	}
	gen := &harness.Generator{Dial: harness.DialTLS(c.target, c.tls), Images: lib}
	var other *harness.Generator
	if c.against != "" {
		other = &harness.Generator{Dial: harness.DialTLS(c.against, c.tls), Images: lib}
	}
	for rep := range c.count {
		for _, s := range c.scenarios {
			start := time.Now()
			s.Seed += uint64(c.rep + rep) // repetitions draw independent samples
			var rs []*harness.Metrics
			if other == nil {
				r, err := c.runOne(ctx, gen, s)
				if err != nil {
					return fmt.Errorf("%s: %w", s.Name, err)
				}
				rs = append(rs, r)
			} else {
				pair, err := c.runPair(ctx, [2]*harness.Generator{gen, other}, s)
				if err != nil {
					return fmt.Errorf("%s: %w", s.Name, err)
				}
				rs = append(rs, pair[:]...)
			}
			for _, r := range rs {
				r.Rep = c.rep + rep
				fmt.Fprintf(stderr, "loadgen: %s %s rep %d/%d: %.0f OK/s, p99 %v, lost %d (%v)\n",
					s.Name, r.Strategy, rep+1, c.count, r.Goodput(), r.Latency.Quantile(0.99), r.Lost, time.Since(start).Round(time.Millisecond))
				if err := harness.WriteBenchmark(out, r); err != nil {
					return err
				}
				if c.out != "" {
					if _, err := harness.WriteRecord(filepath.Join(c.out, "records"), r); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// runPair runs s against both targets, interleaved, at the rates of the
// first's capacity, measuring it first if s needs it and it is not known.
// A saturate run refreshes the capacity from the first target's goodput.
func (c *loadCmd) runPair(ctx context.Context, gens [2]*harness.Generator, s harness.Scenario) ([2]*harness.Metrics, error) {
	s = c.prepare(s)
	if err := c.calibrate(ctx, gens[0], s); err != nil {
		return [2]*harness.Metrics{}, err
	}
	pair, err := harness.Interleave(ctx, gens, s, c.capacity, c.blocks)
	if err != nil {
		return pair, err
	}
	for i, label := range []string{c.label, c.againstLabel} {
		pair[i].Strategy = label
		pair[i].TLS = c.tls != nil
	}
	if s.Name == harness.CalibrationScenario && pair[0].Goodput() > 0 {
		c.capacity = pair[0].Goodput()
	}
	return pair, nil
}

// runOne runs s once, measuring the capacity first if s needs it and it
// is not known. A saturate run refreshes the capacity, as in process.
func (c *loadCmd) runOne(ctx context.Context, gen *harness.Generator, s harness.Scenario) (*harness.Metrics, error) {
	s = c.prepare(s)
	if err := c.calibrate(ctx, gen, s); err != nil {
		return nil, err
	}
	r, err := gen.Run(ctx, s, c.capacity)
	if err != nil {
		return nil, err
	}
	r.Strategy = c.label
	r.TLS = c.tls != nil
	if s.Name == harness.CalibrationScenario && r.Goodput() > 0 {
		c.capacity = r.Goodput()
	}
	return r, nil
}

// prepare returns s as -short and -scale make it.
func (c *loadCmd) prepare(s harness.Scenario) harness.Scenario {
	if c.short {
		s = harness.Short(s)
	}
	return harness.Scale(s, c.scale)
}

// calibrate measures the capacity against gen, with a saturate run, when
// s runs at a fraction of it and it is not known yet.
func (c *loadCmd) calibrate(ctx context.Context, gen *harness.Generator, s harness.Scenario) error {
	if s.Loop != harness.OpenLoop || s.RateOfCapacity <= 0 || c.capacity != 0 {
		return nil
	}
	cal, err := harness.Lookup(harness.CalibrationScenario)
	if err != nil {
		return err
	}
	if _, err := c.runOne(ctx, gen, cal); err != nil {
		return fmt.Errorf("calibration: %w", err)
	}
	if c.capacity == 0 {
		return fmt.Errorf("%w: %s answered nothing OK", harness.ErrNoCapacity, cal.Name)
	}
	return nil
}

func (c *loadCmd) library() (*harness.Library, error) {
	dir := c.images
	if dir == "" {
		var err error
		if dir, err = harness.FindImageDir(); err != nil {
			return nil, fmt.Errorf("%w (use -images)", err)
		}
	}
	return harness.LoadLibrary(dir)
}
