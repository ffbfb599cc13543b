package plot

import (
	"errors"
	"fmt"
	"path/filepath"

	gonum "gonum.org/v1/plot"

	"github.com/tcpimg/tcpimg/harness"
)

// BurstScenario is the scenario whose time series are drawn.
const BurstScenario = "burst"

// Formats every picture is written in.
var Formats = []string{"svg", "png"}

// WriteAll draws every picture the records allow into dir, in each of
// Formats, and returns the paths written. A picture without data is
// skipped; an error drawing or writing one is returned.
func WriteAll(dir string, rs []*harness.Metrics) ([]string, error) {
	type picture struct {
		name string
		draw func() (*gonum.Plot, error)
	}
	pictures := []picture{{"throughput", func() (*gonum.Plot, error) { return Throughput(rs) }}}
	for _, sc := range openLoopScenarios(rs) {
		pictures = append(pictures, picture{"latency-" + sc, func() (*gonum.Plot, error) { return Spectrum(rs, sc) }})
	}
	pictures = append(pictures,
		picture{BurstScenario + "-goroutines", func() (*gonum.Plot, error) { return Goroutines(rs, BurstScenario) }},
		picture{BurstScenario + "-heap", func() (*gonum.Plot, error) { return Heap(rs, BurstScenario) }},
	)
	var written []string
	for _, pic := range pictures {
		p, err := pic.draw()
		if errors.Is(err, ErrNoData) {
			continue
		}
		if err != nil {
			return written, fmt.Errorf("%s: %w", pic.name, err)
		}
		for _, ext := range Formats {
			path := filepath.Join(dir, pic.name+"."+ext)
			if err := p.Save(width, height, path); err != nil {
				return written, fmt.Errorf("%s: %w", path, err)
			}
			written = append(written, path)
		}
	}
	return written, nil
}
