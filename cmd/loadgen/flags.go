package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strings"

	"github.com/tcpimg/tcpimg/harness"
	"github.com/tcpimg/tcpimg/internal/tlsconf"
)

// errHelp means -h was asked for and usage printed.
var errHelp = errors.New("help requested")

// command is one parsed subcommand.
type command interface {
	run(ctx context.Context, stdout, stderr io.Writer) error
}

// parse parses args into the command they ask for. Errors are returned as
// one line, not printed; usage goes to usage only for -h.
func parse(args []string, usage io.Writer) (command, error) {
	if len(args) > 0 {
		switch args[0] {
		case "merge":
			return parseMerge(args[1:], usage)
		case "plot":
			return parsePlot(args[1:], usage)
		case "report":
			return parseReport(args[1:], usage)
		case "model":
			return parseModel(args[1:], usage)
		case "shift":
			return parseShift(args[1:], usage)
		}
	}
	return parseLoad(args, usage)
}

// parseFlagSet parses args with fs, printing usage for -h only.
func parseFlagSet(fs *flag.FlagSet, synopsis string, args []string, usage io.Writer) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(usage)
			fmt.Fprintln(usage, "usage: "+synopsis)
			fs.PrintDefaults()
			return errHelp
		}
		return err
	}
	return nil
}

// badLabel matches what a benchmark name's value must not be: benchstat
// splits on "/", and reads a trailing "-<digits>" as GOMAXPROCS.
var badLabel = regexp.MustCompile(`[/\s]|-[0-9]+$`)

// Bounds of -capacity and -scale. An open loop walks its schedule request
// by request, so a rate past maxCapacity (50 times the NOOP rate of a
// loopback server here) would keep the scheduler busy for hours; a scale
// outside minScale..maxScale makes scenarios of no length, or long enough
// to overflow a duration.
const (
	maxCapacity = 1e6
	minScale    = 0.01
	maxScale    = 1000.0
)

func parseLoad(args []string, usage io.Writer) (command, error) {
	var (
		c         loadCmd
		scenarios string
		tlsFiles  tlsconf.ClientFiles
	)
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.StringVar(&c.target, "target", "", "server to load, `host:port` (required)")
	fs.StringVar(&scenarios, "scenario", "all", "comma-separated scenario `names`, or all")
	fs.IntVar(&c.count, "count", 1, "repetitions of every scenario")
	fs.StringVar(&c.out, "out", "", "also write raw.txt and records/ into this `folder`")
	fs.StringVar(&c.label, "label", "remote", "the strategy column of the output: what the target runs")
	fs.StringVar(&c.images, "images", "", "image `folder` (default: testdata/images here or in a parent)")
	fs.Float64Var(&c.capacity, "capacity", 0, "the target's capacity in `requests/s` for the open loops, at most 1e6 (0: measure it with saturate first)")
	fs.BoolVar(&c.short, "short", false, "run the scenarios shortened, as the smoke tests do")
	fs.Float64Var(&c.scale, "scale", 1, "multiply every scenario's lengths by this `factor`, 0.01..1000")
	fs.IntVar(&c.rep, "rep", 0, "number of the first repetition, for record names")
	fs.BoolVar(&c.list, "list", false, "print the scenarios and exit")
	fs.StringVar(&c.against, "against", "", "a second server, `host:port`: run each scenario against both, in alternating blocks (A B B A ...), at the rates of -target's capacity; each must hold one load for a fixed period of at least 250 ms a block (open-50 and open-90 with the default -blocks)")
	fs.StringVar(&c.againstLabel, "against-label", "remote-b", "the strategy column of -against's output")
	fs.IntVar(&c.blocks, "blocks", 8, "with -against, the even `number` of blocks each scenario's measured period is cut into")
	tlsFiles.AddFlags(fs)
	if err := parseFlagSet(fs, "loadgen -target HOST:PORT [flags] | loadgen merge ... | loadgen plot ...", args, usage); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.list {
		return listCmd{}, nil
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	checks := []struct {
		bad bool
		msg string
	}{
		{c.target == "", "-target is required"},
		{c.count < 1, fmt.Sprintf("-count %d must be at least 1", c.count)},
		{c.capacity < 0 || c.capacity > maxCapacity, fmt.Sprintf("-capacity %v out of 0..%g", c.capacity, maxCapacity)},
		{c.scale < minScale || c.scale > maxScale, fmt.Sprintf("-scale %v out of %g..%g", c.scale, minScale, maxScale)},
		{c.rep < 0, fmt.Sprintf("-rep %d must not be negative", c.rep)},
		{c.label == "" || badLabel.MatchString(c.label), fmt.Sprintf("-label %q must be non-empty, without / or spaces, and not end in -<digits>", c.label)},
		{c.against == "" && (set["against-label"] || set["blocks"]), "-against-label and -blocks go with -against"},
		{c.againstLabel == "" || badLabel.MatchString(c.againstLabel), fmt.Sprintf("-against-label %q must be non-empty, without / or spaces, and not end in -<digits>", c.againstLabel)},
		{c.against != "" && c.againstLabel == c.label, fmt.Sprintf("-label and -against-label are both %q", c.label)},
		{c.against != "" && c.against == c.target, fmt.Sprintf("-target and -against are both %s", c.target)},
		{c.blocks < 2 || c.blocks%2 != 0, fmt.Sprintf("-blocks %d must be even and at least 2", c.blocks)},
	}
	for _, ch := range checks {
		if ch.bad {
			return nil, errors.New(ch.msg)
		}
	}
	if _, _, err := net.SplitHostPort(c.target); err != nil {
		return nil, fmt.Errorf("-target %q: %w", c.target, err)
	}
	if c.against != "" {
		if _, _, err := net.SplitHostPort(c.against); err != nil {
			return nil, fmt.Errorf("-against %q: %w", c.against, err)
		}
	}
	var err error
	if c.scenarios, err = lookupAll(scenarios); err != nil {
		return nil, err
	}
	if c.against != "" {
		for _, s := range c.scenarios {
			if err := harness.CheckInterleave(c.prepare(s), c.blocks); err != nil {
				return nil, fmt.Errorf("-against: %w", err)
			}
		}
	}
	if c.tls, err = tlsFiles.Config(); err != nil {
		return nil, err
	}
	return &c, nil
}

// lookupAll resolves a comma-separated list of scenario names.
func lookupAll(names string) ([]harness.Scenario, error) {
	if names == "all" {
		return harness.Scenarios(), nil
	}
	var out []harness.Scenario
	for _, name := range strings.Split(names, ",") {
		s, err := harness.Lookup(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func parseMerge(args []string, usage io.Writer) (command, error) {
	var c mergeCmd
	fs := flag.NewFlagSet("loadgen merge", flag.ContinueOnError)
	fs.StringVar(&c.out, "out", "", "write the merged records into this `folder` (required)")
	fs.StringVar(&c.label, "label", "", "strategy label of the merged records (default: the inputs' labels joined with +)")
	if err := parseFlagSet(fs, "loadgen merge -out DIR RECORD.json...", args, usage); err != nil {
		return nil, err
	}
	c.inputs = fs.Args()
	switch {
	case c.out == "":
		return nil, errors.New("merge: -out is required")
	case len(c.inputs) == 0:
		return nil, errors.New("merge: no record files given")
	case c.label != "" && badLabel.MatchString(c.label):
		return nil, fmt.Errorf("merge: -label %q must be without / or spaces, and not end in -<digits>", c.label)
	}
	return &c, nil
}

func parsePlot(args []string, usage io.Writer) (command, error) {
	var c plotCmd
	fs := flag.NewFlagSet("loadgen plot", flag.ContinueOnError)
	fs.StringVar(&c.in, "in", "", "records `folder` to draw (required)")
	fs.StringVar(&c.out, "out", "", "`folder` for the pictures (default: the parent of -in)")
	if err := parseFlagSet(fs, "loadgen plot -in DIR [-out DIR]", args, usage); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("plot: unexpected argument %q", fs.Arg(0))
	case c.in == "":
		return nil, errors.New("plot: -in is required")
	}
	return &c, nil
}

// checkIn checks what the subcommands that read a folder given by -in
// share: no stray argument, -in given, and a folder there.
func checkIn(cmd string, fs *flag.FlagSet, in string) error {
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("%s: unexpected argument %q", cmd, fs.Arg(0))
	case in == "":
		return fmt.Errorf("%s: -in is required", cmd)
	}
	if fi, err := os.Stat(in); err != nil {
		return fmt.Errorf("%s: -in %s: no such folder", cmd, in)
	} else if !fi.IsDir() {
		return fmt.Errorf("%s: -in %s is not a folder", cmd, in)
	}
	return nil
}
