package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// errRun is the run's error when every job was answered OK but something
// else went wrong on the way (a result could not be written, a connection
// failed after its last answer).
var errRun = errors.New("errors during the run")

// realMain is main without the exit: it returns the exit status, so tests
// can run the whole command.
func realMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err == nil {
		err = run(ctx, cfg, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "client: %v\n", err)
	}
	return exitCode(err)
}

// exitCode maps run's error to the exit status the package doc promises.
func exitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		return 1
	}
}

// run sends the batch cfg describes, prints its summary on stdout and
// returns nil only when the run succeeded by the rules of the package doc.
func run(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	images, err := loadImages(cfg.dir)
	if err != nil {
		return err
	}
	var out *outWriter
	if cfg.out != "" {
		if out, err = newOutWriter(cfg.out, cfg.op, len(images)); err != nil {
			return err
		}
	}
	if cfg.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.timeout)
		defer cancel()
	}
	b, err := newBatch(&cfg, images, out, newProgress(stderr, len(images)*cfg.repeat, cfg.quiet))
	if err != nil {
		return err
	}
	s, err := b.run(ctx)
	if err != nil {
		return err
	}
	for _, e := range b.errs {
		fmt.Fprintf(stderr, "client: %v\n", e)
	}
	if b.dropped > 0 {
		fmt.Fprintf(stderr, "client: %d more errors\n", b.dropped)
	}
	if !cfg.quiet {
		s.writeText(stdout)
	}
	s.writeLine(stdout)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("stopped early: %w", err)
	}
	if err := s.verdict(cfg.busyOK); err != nil {
		return err
	}
	if len(b.errs) > 0 {
		return fmt.Errorf("%w: %d", errRun, len(b.errs)+b.dropped)
	}
	return nil
}
