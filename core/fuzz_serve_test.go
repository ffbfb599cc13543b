package core_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/tcpimg/tcpimg/core"
)

// FuzzServeStream sends arbitrary bytes to a running server as one
// client's whole stream, then half-closes: whatever the bytes, the server
// must answer with well-formed responses only, never more than one per
// frame it could have read, and close the connection rather than hang.
// This is the framing the server itself does (buffered, in place, with its
// own length and memory checks), not the ReadRequest helper that
// FuzzReadRequest covers. Jobs do no work, so only framing, validation and
// the image header checks are fuzzed.
func FuzzServeStream(f *testing.F) {
	f.Add(rawHeader("TIMQ", 1, 0, 0, 0, 1, 0, 0, 0, 0))
	f.Add(append(rawHeader("TIMQ", 1, 0, 0, 0, 2, 0, 0, 0, 3), "abc"...))
	f.Add(slices.Concat(rawHeader("TIMQ", 1, 4, 0, 0, 3, 10, 0, 0, 0), rawHeader("XXXX", 1, 0, 0, 0, 4, 0, 0, 0, 0)))
	f.Add(rawHeader("TIMQ", 2, 0, 0, 0, 5, 0, 0, 0, 0))
	f.Add(rawHeader("TIMQ", 1, 0, 0, 0, 6, 0, 0, 0, 0xFFFFFFFF))
	f.Add(append(rawHeader("TIMQ", 1, 1, 0, 0, 7, 64, 64, 0, 12), "\x89PNG\r\n\x1a\nxxxx"...))
	f.Add(append(rawHeader("TIMQ", 1, 0, 0, 0, 8, 0, 0, 0, 100), "short"...))
	f.Add([]byte("TIMQ\x01"))

	const maxFrame = 1 << 16
	cfg := core.Config{
		Pool:   chanPool(2, 64),
		Logger: slog.New(slog.DiscardHandler),
		Process: func(ctx context.Context, h *core.RequestHeader, payload []byte, out *bytes.Buffer) error {
			out.Write(payload[:min(len(payload), 8)])
			return nil
		},
	}
	cfg.Limits = core.DefaultLimits()
	cfg.Limits.MaxFrame = maxFrame
	// A Unix socket: the server's code is the same, and hundreds of
	// thousands of short connections leave no TIME_WAIT ports behind.
	ln, err := net.Listen("unix", filepath.Join(f.TempDir(), "s"))
	if err != nil {
		f.Fatal(err)
	}
	srv, err := core.NewServer(cfg)
	if err != nil {
		f.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	f.Cleanup(func() {
		srv.Close()
		<-served
	})
	addr := ln.Addr().String()

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFrame {
			data = data[:maxFrame] // small enough for the socket buffers: written whole before reading
		}
		nc, err := net.Dial("unix", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := nc.Write(data); err != nil {
			t.Fatalf("write: %v", err)
		}
		if err := nc.(*net.UnixConn).CloseWrite(); err != nil {
			t.Fatalf("half-close: %v", err)
		}
		frames := len(data)/core.HeaderSize + 1
		for n := 0; ; n++ {
			h, _, err := core.ReadResponse(nc, maxFrame, nil)
			if err != nil {
				var ne net.Error
				switch {
				case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed), errors.Is(err, syscall.ECONNRESET):
				case errors.As(err, &ne) && ne.Timeout():
					t.Fatalf("the server neither answered nor closed within 10 s (%d responses)", n)
				default:
					t.Fatalf("response %d: %v", n, err)
				}
				return
			}
			if n >= frames {
				t.Fatalf("%d responses to %d bytes (at most %d frames)", n+1, len(data), frames)
			}
			if h.Status > core.StatusInternal {
				t.Fatalf("status %d", h.Status)
			}
		}
	})
}
