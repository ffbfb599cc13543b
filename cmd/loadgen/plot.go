package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/tcpimg/tcpimg/harness"
	"github.com/tcpimg/tcpimg/harness/plot"
)

// plotCmd draws a records folder's pictures.
type plotCmd struct {
	in, out string
}

func (c *plotCmd) run(_ context.Context, stdout, _ io.Writer) error {
	rs, err := harness.ReadRecords(c.in)
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		return fmt.Errorf("plot: no records in %s", c.in)
	}
	out := c.out
	if out == "" {
		out = filepath.Dir(filepath.Clean(c.in))
	}
	written, err := plot.WriteAll(out, rs)
	for _, p := range written {
		fmt.Fprintln(stdout, p)
	}
	return err
}
