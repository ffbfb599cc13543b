package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
)

// writeHeader writes the "key: value" lines that benchstat reads as the
// configuration of the benchmark lines after them: this machine, then
// extra.
func writeHeader(w io.Writer, extra map[string]string) error {
	host, _ := os.Hostname()
	lines := [][2]string{
		{"machine", fmt.Sprintf("%s %s/%s, %d CPUs", host, runtime.GOOS, runtime.GOARCH, runtime.NumCPU())},
		{"go-version", runtime.Version()},
		{"gomaxprocs", fmt.Sprint(runtime.GOMAXPROCS(0))},
	}
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		lines = append(lines, [2]string{k, extra[k]})
	}
	for _, l := range lines {
		if _, err := fmt.Fprintf(w, "%s: %s\n", l[0], l[1]); err != nil {
			return err
		}
	}
	return nil
}
