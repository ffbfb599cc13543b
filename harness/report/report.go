package report

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tcpimg/tcpimg/strategies"
)

// Files of a results folder that the page reads or links to.
const (
	// RawFile is the benchmark output; a folder without it is no run.
	RawFile        = "raw.txt"
	ConditionsFile = "conditions.txt"
	RecordsDir     = "records"
	// PageFile is the page's default name in the folder.
	PageFile = "index.html"
)

// ErrNoRun means a folder is not a results folder: it lacks RawFile.
var ErrNoRun = errors.New("not a results folder: no " + RawFile)

// Steady-state units: a repetition whose "steady" metric is 0, or whose
// "unsteady" metric is not, failed the harness's check that the load had
// reached a steady state, and its numbers describe a transient.
const (
	steadyUnit   = "steady"
	unsteadyUnit = "unsteady"
)

// Conditions are the header keys the page shows first, in this order, and
// says "not recorded" for when a run's header lacks them (older runs have
// no mode or capacity line).
var Conditions = []string{
	"commit", "date", "mode", "machine", "cpu", "gomaxprocs", "go-version",
	"repetitions", "scale", "capacity",
}

// Page is everything the report shows, computed from a results folder.
type Page struct {
	Title string // the folder's name: <date>-<commit>

	// Conditions holds a field for every key of Conditions, with no
	// values when the run did not record it; Other holds the header's
	// remaining keys in file order.
	Conditions, Other []Field
	// Load is conditions.txt: the machine's load average before each
	// repetition. Empty when the folder has none.
	Load string

	Baseline   string   // the strategy every other is compared with
	Strategies []string // the grids' columns, Baseline first
	Grids      []Grid
	// Picks says, scenario by scenario, which strategies to run there
	// (see [Pick]).
	Picks []Pick

	// Unsteady is set when any cell has a repetition that failed the
	// steady-state check, so the legend explains the mark.
	Unsteady bool
	// Reps is the largest number of repetitions of any cell; a cell
	// with fewer says so.
	Reps int

	Plots []Plot
	Files []string // the folder's files the page links to, relative
}

// A Grid is one metric over every scenario and strategy.
type Grid struct {
	Metric Metric
	Rows   []Row
}

// A Row is one scenario of a grid.
type Row struct {
	Scenario string
	Cells    []GridCell
}

// A GridCell is one scenario and strategy of one metric.
type GridCell struct {
	Cell
	Base    bool // the cell is the baseline strategy's
	Missing bool // the run has no value of this metric for the cell
	Stat    Stat
	// Unsteady counts the cell's repetitions that failed the
	// steady-state check.
	Unsteady int
	// Text is what the cell shows, formatted.
	Median, CI, Delta, P, Tooltip string
}

// Load reads a results folder into a Page, comparing every strategy with
// strategies.DefaultPool, or with the file's first strategy when the run
// did not include it.
func Load(dir string) (*Page, error) {
	raw, err := os.ReadFile(filepath.Join(dir, RawFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoRun)
	}
	if err != nil {
		return nil, err
	}
	header, err := ParseHeader(strings.NewReader(string(raw)))
	if err != nil {
		return nil, err
	}
	res, err := ParseResults(strings.NewReader(string(raw)), filepath.Join(dir, RawFile))
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir) // "." names no run; its absolute path does
	if err != nil {
		return nil, err
	}
	p := &Page{Title: filepath.Base(abs)}
	p.Conditions, p.Other = splitHeader(header)
	load, err := os.ReadFile(filepath.Join(dir, ConditionsFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	p.Load = strings.TrimSpace(string(load))
	p.compare(res, strategies.DefaultPool)
	p.Picks = Picks(res, p.Baseline)
	if p.Plots, err = readPlots(dir, res.Scenarios); err != nil {
		return nil, err
	}
	if p.Files, err = links(dir); err != nil {
		return nil, err
	}
	return p, nil
}

// splitHeader separates the Conditions keys from the rest.
func splitHeader(header []Field) (conditions, other []Field) {
	for _, key := range Conditions {
		f, _ := Lookup(header, key)
		f.Key = key
		conditions = append(conditions, f)
	}
	for _, f := range header {
		if !slices.Contains(Conditions, f.Key) {
			other = append(other, f)
		}
	}
	return conditions, other
}

// compare fills the grids: every metric of Metrics that the run measured.
func (p *Page) compare(res *Results, baseline string) {
	baseline, _ = res.Baseline(baseline)
	p.Baseline = baseline
	p.Strategies = append([]string{baseline}, slices.DeleteFunc(slices.Clone(res.Strategies), func(s string) bool { return s == baseline })...)
	for _, units := range res.Values {
		for _, vs := range units {
			p.Reps = max(p.Reps, len(vs))
		}
	}
	for _, m := range Metrics {
		if !res.Has(m.Unit) {
			continue
		}
		g := Grid{Metric: m}
		for _, sc := range res.Scenarios {
			row := Row{Scenario: sc}
			base := res.Values[Cell{sc, baseline}][m.Unit]
			for _, st := range p.Strategies {
				c := p.cell(Cell{sc, st}, res.Values[Cell{sc, st}], base, m)
				p.Unsteady = p.Unsteady || c.Unsteady > 0
				row.Cells = append(row.Cells, c)
			}
			g.Rows = append(g.Rows, row)
		}
		p.Grids = append(p.Grids, g)
	}
}

// cell computes and formats one grid cell.
func (p *Page) cell(c Cell, units map[string][]float64, base []float64, m Metric) GridCell {
	gc := GridCell{Cell: c, Base: c.Strategy == p.Baseline, Unsteady: unsteady(units)}
	values := units[m.Unit]
	if len(values) == 0 {
		gc.Missing = true
		gc.Tooltip = "not measured"
		return gc
	}
	if gc.Base {
		base = nil
	}
	gc.Stat = Summarise(values, base, m.Better)
	gc.format(m, p.Baseline)
	return gc
}

// unsteady counts the repetitions that failed the steady-state check.
func unsteady(units map[string][]float64) int {
	n := 0
	for _, v := range units[steadyUnit] {
		if v == 0 {
			n++
		}
	}
	for _, v := range units[unsteadyUnit] {
		if v != 0 {
			n++
		}
	}
	return n
}

// links lists the folder's files worth opening by hand, in reading order:
// the raw output, benchstat's tables, the load, the records.
func links(dir string) ([]string, error) {
	var files []string
	for _, pattern := range []string{RawFile, "benchstat.txt", "benchstat-*.txt", ConditionsFile} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return nil, err
		}
		for _, f := range m {
			files = append(files, filepath.Base(f))
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, RecordsDir)); err == nil && fi.IsDir() {
		files = append(files, RecordsDir+"/")
	}
	return files, nil
}

// WriteFile renders the results folder dir as a page written to out, or
// to dir/index.html when out is empty, and returns the path written. The
// page is written whole or not at all: a failed render leaves any earlier
// page in place.
func WriteFile(dir, out string) (string, error) {
	p, err := Load(dir)
	if err != nil {
		return "", err
	}
	if out == "" {
		out = filepath.Join(dir, PageFile)
	}
	var b strings.Builder
	if err := p.Render(&b); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".index-*.html")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.WriteString(tmp, b.String()); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return out, os.Rename(tmp.Name(), out)
}
