package main

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
)

func TestCommandLineErrors(t *testing.T) {
	dir := writeImages(t)
	empty := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := ln.Addr().String()
	require.NoError(t, ln.Close())

	tests := []struct {
		name     string
		give     []string
		wantCode int
		wantErr  string
	}{
		{"unknown op", []string{"-dir", dir, "-op", "rotate"}, 2, `-op: unknown op "rotate"`},
		{"unknown format", []string{"-dir", dir, "-format", "webp"}, 2, `-format: unknown format "webp"`},
		{"unknown flag", []string{"-dir", dir, "-colour"}, 2, "flag provided but not defined: -colour"},
		{"not a number", []string{"-dir", dir, "-conns", "many"}, 2, `invalid value "many" for flag -conns`},
		{"negative conns", []string{"-dir", dir, "-conns", "-1"}, 2, "-conns -1: want at least 1"},
		{"too many conns", []string{"-dir", dir, "-conns", "1000000000"}, 2, "-conns 1000000000: want at most 65536"},
		{"huge inflight", []string{"-dir", dir, "-inflight", "1000000000"}, 2, "-inflight 1000000000: want at most 65536"},
		{"zero inflight", []string{"-dir", dir, "-inflight", "0"}, 2, "-inflight 0: want at least 1"},
		{"zero repeat", []string{"-dir", dir, "-repeat", "0"}, 2, "-repeat 0: want at least 1"},
		{"empty thumbnail box", []string{"-dir", dir, "-width", "0", "-height", "0"}, 2, "-width and -height are both 0"},
		{"negative width", []string{"-dir", dir, "-width", "-5"}, 2, "-width -5 out of range"},
		{"blur radius", []string{"-dir", dir, "-op", "blur", "-radius", "65"}, 2, "-radius 65 out of 1..64"},
		{"spin length", []string{"-dir", dir, "-op", "spin", "-work", "11s"}, 2, "-work 11s out of"},
		{"quality", []string{"-dir", dir, "-quality", "101"}, 2, "-quality 101 out of 0..100"},
		{"negative deadline", []string{"-dir", dir, "-deadline", "-1s"}, 2, "-deadline -1s out of range"},
		{"stray argument", []string{"-dir", dir, "extra"}, 2, `unexpected argument "extra"`},
		{"negative retries", []string{"-dir", dir, "-retries", "-1"}, 2, "-retries -1 out of 0..100"},
		{"retry budget over 1", []string{"-dir", dir, "-retry-budget", "1.5"}, 2, "-retry-budget 1.5 out of 0..1"},
		{"tls key without cert", []string{"-dir", dir, "-tls-key", "k.pem"}, 2, "-tls-cert and -tls-key go together"},
		{"tls CA missing", []string{"-dir", dir, "-tls-ca", dir + "/nope.pem"}, 2, "-tls-ca:"},
		{"missing dir", []string{"-dir", dir + "/nope"}, 2, "-dir: open"},
		{"no images", []string{"-dir", empty}, 2, "no .png, .jpg, .jpeg or .gif files"},
		{"nobody listening", []string{"-dir", dir, "-addr", closed}, 1, "dial:"},
		{"help", []string{"-h"}, 0, "usage: client [flags]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runClient(t, context.Background(), tt.give...)
			assert.Equal(t, tt.wantCode, r.code)
			assert.Contains(t, r.stderr, tt.wantErr)
			assert.Empty(t, r.stdout)
			if tt.wantCode == 2 {
				assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			}
		})
	}
}

func TestRequestHeader(t *testing.T) {
	tests := []struct {
		name string
		give []string
		want core.RequestHeader
	}{
		{"defaults", nil, core.RequestHeader{Op: core.OpThumbnail, Arg1: 128, Arg2: 128}},
		{"thumbnail box", []string{"-width", "64", "-height", "0"}, core.RequestHeader{Op: core.OpThumbnail, Arg1: 64}},
		{"blur", []string{"-op", "blur", "-radius", "5"}, core.RequestHeader{Op: core.OpBlur, Arg1: 5}},
		{"spin", []string{"-op", "spin", "-work", "2ms"}, core.RequestHeader{Op: core.OpSpin, Arg1: 2000}},
		{"sleep", []string{"-op", "sleep", "-work", "1s"}, core.RequestHeader{Op: core.OpSleep, Arg1: 1_000_000}},
		{"noop ignores box", []string{"-op", "noop"}, core.RequestHeader{Op: core.OpNoop}},
		{"format and quality", []string{"-op", "grayscale", "-format", "jpeg", "-quality", "70"},
			core.RequestHeader{Op: core.OpGrayscale, Format: core.FormatJPEG, Quality: 70}},
		{"deadline rounds up to ms", []string{"-deadline", "1500us"},
			core.RequestHeader{Op: core.OpThumbnail, Arg1: 128, Arg2: 128, Deadline: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig(tt.give, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.header())
			require.NoError(t, tt.want.Validate())
		})
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := parseConfig(nil, nil)
	require.NoError(t, err)
	want := config{
		addr: "127.0.0.1:8082", dir: "testdata/images", conns: 4, inflight: 16, op: core.OpThumbnail,
		width: 128, height: 128, radius: 3, work: time.Millisecond, format: core.FormatSame, repeat: 1,
		retries: 3, retryBudget: 0.2,
	}
	assert.Equal(t, want, cfg)
}
