package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBadFlags(t *testing.T) {
	tests := []struct {
		name    string
		give    []string
		wantErr string
	}{
		{"no target", nil, "-target is required"},
		{"unknown flag", []string{"-bogus"}, "flag provided but not defined: -bogus"},
		{"target without port", []string{"-target", "localhost"}, "missing port"},
		{"count", []string{"-target", "h:1", "-count", "0"}, "-count 0 must be at least 1"},
		{"capacity", []string{"-target", "h:1", "-capacity", "-5"}, "-capacity -5 out of 0..1e+06"},
		{"capacity too high", []string{"-target", "h:1", "-capacity", "1e15"}, "-capacity 1e+15 out of 0..1e+06"},
		{"scale", []string{"-target", "h:1", "-scale", "0"}, "-scale 0 out of 0.01..1000"},
		{"scale too high", []string{"-target", "h:1", "-scale", "1e12"}, "-scale 1e+12 out of 0.01..1000"},
		{"label with slash", []string{"-target", "h:1", "-label", "a/b"}, "-label \"a/b\""},
		{"label like gomaxprocs", []string{"-target", "h:1", "-label", "box-2"}, "-label \"box-2\""},
		{"unknown scenario", []string{"-target", "h:1", "-scenario", "saturate,nope"}, "unknown scenario \"nope\""},
		{"stray argument", []string{"-target", "h:1", "extra"}, "unexpected argument \"extra\""},
		{"tls cert without key", []string{"-target", "h:1", "-tls-cert", "c.pem"}, "-tls-cert and -tls-key go together"},
		{"tls CA missing", []string{"-target", "h:1", "-tls-ca", "/nonexistent/ca.pem"}, "-tls-ca:"},
		{"against without port", []string{"-target", "h:1", "-against", "h"}, "-against \"h\""},
		{"blocks without against", []string{"-target", "h:1", "-blocks", "4"}, "-against-label and -blocks go with -against"},
		{"against-label without against", []string{"-target", "h:1", "-against-label", "x"}, "-against-label and -blocks go with -against"},
		{"odd blocks", []string{"-target", "h:1", "-against", "h:2", "-blocks", "3"}, "-blocks 3 must be even and at least 2"},
		{"against itself", []string{"-target", "h:1", "-against", "h:1"}, "-target and -against are both h:1"},
		{"against a scenario of phases", []string{"-target", "h:1", "-against", "h:2", "-scenario", "burst"}, "-against: cannot interleave: burst does not hold one load"},
		{"against with blocks too short", []string{"-target", "h:1", "-against", "h:2", "-scenario", "open-50", "-short"}, "-against: cannot interleave: open-50's 100ms in 8 blocks leaves less than 250ms each"},
		{"same labels", []string{"-target", "h:1", "-against", "h:2", "-label", "x", "-against-label", "x"}, "-label and -against-label are both \"x\""},
		{"merge without out", []string{"merge", "a.json"}, "merge: -out is required"},
		{"merge without inputs", []string{"merge", "-out", "x"}, "merge: no record files given"},
		{"plot without in", []string{"plot"}, "plot: -in is required"},
		{"plot stray argument", []string{"plot", "-in", "x", "y"}, "plot: unexpected argument \"y\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := mainCode(tt.give, &stdout, &stderr)
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout.String())
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
			assert.True(t, strings.HasPrefix(stderr.String(), "loadgen: "), stderr.String())
			assert.Contains(t, stderr.String(), tt.wantErr)
		})
	}
}

func TestHelpAndList(t *testing.T) {
	tests := []struct {
		name       string
		give       []string
		wantStdout string
		wantStderr string
	}{
		{"help", []string{"-h"}, "", "usage: loadgen"},
		{"merge help", []string{"merge", "-h"}, "", "usage: loadgen merge"},
		{"list", []string{"-list"}, "open-200", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, 0, mainCode(tt.give, &stdout, &stderr))
			assert.Contains(t, stdout.String(), tt.wantStdout)
			assert.Contains(t, stderr.String(), tt.wantStderr)
		})
	}
}
