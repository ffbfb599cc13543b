package report

import (
	"cmp"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// A Plot is one of the folder's SVG pictures, ready to inline.
type Plot struct {
	Name string // file name without .svg: throughput, latency-open-90, ...
	File string // the SVG's file name, for the link under it
	PNG  string // the PNG of the same picture, or ""
	// SVG is the <svg> element, without the XML prolog that may not
	// appear inside HTML; empty when the file could not be inlined.
	SVG template.HTML
	// Skipped says why SVG is empty.
	Skipped string
}

// external matches what would make an inlined picture run code or fetch
// anything: the page promises neither.
var external = regexp.MustCompile(`(?i)<script|<foreignObject|\bon[a-z]+\s*=|(href|src)\s*=\s*["']?\s*(https?:|//)|url\(\s*["']?\s*(https?:|//)|@import`)

// readPlots reads dir's *.svg files in the order plotLess gives.
func readPlots(dir string, scenarios []string) ([]Plot, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.svg"))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = strings.TrimSuffix(filepath.Base(p), ".svg")
	}
	slices.SortFunc(names, func(a, b string) int { return plotCompare(a, b, scenarios) })
	plots := make([]Plot, 0, len(names))
	for _, name := range names {
		p := Plot{Name: name, File: name + ".svg"}
		if _, err := os.Stat(filepath.Join(dir, name+".png")); err == nil {
			p.PNG = name + ".png"
		}
		b, err := os.ReadFile(filepath.Join(dir, p.File))
		if err != nil {
			return nil, err
		}
		svg, why := inlineSVG(string(b))
		p.SVG, p.Skipped = template.HTML(svg), why
		plots = append(plots, p)
	}
	return plots, nil
}

// inlineSVG returns the <svg> element of an SVG file, or why it cannot be
// inlined.
func inlineSVG(file string) (svg, why string) {
	start := strings.Index(file, "<svg")
	end := strings.LastIndex(file, "</svg>")
	switch {
	case start < 0 || end < start:
		return "", "not an SVG picture"
	case external.MatchString(file):
		return "", "it refers to something outside the page, or to code"
	}
	return file[start : end+len("</svg>")], ""
}

// plotCompare orders pictures by family (throughput, latency-*, then the
// others by name) and, within a family, by the scenario named, in the matrix's order (open-50 before
// open-200, which sorting by name would not give).
func plotCompare(a, b string, scenarios []string) int {
	fa, fb := family(a), family(b)
	return cmp.Or(
		cmp.Compare(familyRank(fa), familyRank(fb)),
		cmp.Compare(fa, fb),
		cmp.Compare(scenarioRank(a, scenarios), scenarioRank(b, scenarios)),
		cmp.Compare(a, b),
	)
}

// familyRank puts the overview first, then the latency spectra, then the
// rest (the burst's time series), as harness/plot draws them.
func familyRank(f string) int {
	switch f {
	case "throughput":
		return 0
	case "latency":
		return 1
	}
	return 2
}

// family is a picture's name up to its first hyphen.
func family(name string) string {
	f, _, _ := strings.Cut(name, "-")
	return f
}

// scenarioRank is the position of the longest scenario named in a
// picture's name, as a hyphen-delimited part, or len(scenarios).
func scenarioRank(name string, scenarios []string) int {
	rank, longest := len(scenarios), 0
	for i, sc := range scenarios {
		if len(sc) > longest && containsPart(name, sc) {
			rank, longest = i, len(sc)
		}
	}
	return rank
}

// containsPart reports whether part occurs in name between hyphens or the
// ends: open-50 is in latency-open-50, but not in latency-open-500.
func containsPart(name, part string) bool {
	padded := fmt.Sprintf("-%s-", name)
	return strings.Contains(padded, "-"+part+"-")
}
