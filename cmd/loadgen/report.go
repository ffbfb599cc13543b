package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tcpimg/tcpimg/harness/report"
)

// reportCmd renders a results folder as one HTML page.
type reportCmd struct {
	in, out string
}

func (c *reportCmd) run(_ context.Context, stdout, _ io.Writer) error {
	path, err := report.WriteFile(c.in, c.out)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, path)
	return nil
}

// parseReport checks the folder as well as the flags: a folder that is not
// a run is a usage error, like a missing flag.
func parseReport(args []string, usage io.Writer) (command, error) {
	var c reportCmd
	fs := flag.NewFlagSet("loadgen report", flag.ContinueOnError)
	fs.StringVar(&c.in, "in", "", "results `folder` of a matrix run, holding raw.txt (required)")
	fs.StringVar(&c.out, "out", "", "write the page to this `file` (default: index.html in -in)")
	if err := parseFlagSet(fs, "loadgen report -in DIR [-out FILE]", args, usage); err != nil {
		return nil, err
	}
	if err := checkIn("report", fs, c.in); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(c.in, report.RawFile)); err != nil {
		return nil, fmt.Errorf("report: -in %s: %w", c.in, report.ErrNoRun)
	}
	return &c, nil
}
