package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress is told about each answered job. It must be safe for concurrent
// use: every receiver reports to it.
type progress interface {
	add(n int)
	finish()
}

// newProgress returns a progress bar on w when w is a terminal, and a
// progress that shows nothing otherwise: logs and pipes get the summary only.
func newProgress(w io.Writer, total int, quiet bool) progress {
	f, ok := w.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return noProgress{}
	}
	return &barProgress{bar: progressbar.NewOptions64(int64(total),
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("batch"),
		progressbar.OptionSetItsString("img"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)}
}

// noProgress shows nothing.
type noProgress struct{}

func (noProgress) add(int) {}
func (noProgress) finish() {}

// barProgress draws a progress bar; progressbar locks internally.
type barProgress struct{ bar *progressbar.ProgressBar }

func (p *barProgress) add(n int) { _ = p.bar.Add(n) }
func (p *barProgress) finish()   { _ = p.bar.Finish() }
