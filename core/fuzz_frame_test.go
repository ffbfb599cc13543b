package core_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/tcpimg/tcpimg/core"
)

// FuzzReadRequest feeds arbitrary bytes to the frame decoder: it must never
// panic, never hand back a payload over the limit, classify every failure,
// and round-trip what it accepts.
func FuzzReadRequest(f *testing.F) {
	f.Add(rawHeader("TIMQ", 1, 0, 0, 0, 1, 0, 0, 0, 3), 1024)
	f.Add(append(rawHeader("TIMQ", 1, 1, 2, 85, 9, 128, 128, 50, 4), "abcd"...), 1024)
	f.Add(rawHeader("TIMQ", 1, 0, 0, 0, 1, 0, 0, 0, 0xFFFFFFFF), 1024)
	f.Add(rawHeader("XXXX", 1, 0, 0, 0, 1, 0, 0, 0, 0), 1024)
	f.Add(rawHeader("TIMQ", 9, 0, 0, 0, 1, 0, 0, 0, 0), 1024)
	f.Add([]byte("TIMQ"), 16)
	const maxLimit = 1 << 16
	f.Fuzz(func(t *testing.T, data []byte, limit int) {
		if limit < 0 || limit > maxLimit {
			limit = maxLimit
		}
		h, payload, err := core.ReadRequest(bytes.NewReader(data), uint32(limit), nil)
		if err != nil {
			switch {
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
				errors.Is(err, core.ErrBadMagic), errors.Is(err, core.ErrUnsupported):
			case errors.Is(err, core.ErrTooLarge):
				if h.Length <= uint32(limit) {
					t.Fatalf("TOO_LARGE for length %d within limit %d", h.Length, limit)
				}
			default:
				t.Fatalf("unclassified error %v", err)
			}
			if payload != nil {
				t.Fatalf("payload returned with error %v", err)
			}
			return
		}
		if len(payload) != int(h.Length) || len(payload) > limit {
			t.Fatalf("payload %d bytes, header says %d, limit %d", len(payload), h.Length, limit)
		}
		var buf bytes.Buffer
		if err := core.WriteRequest(&buf, h, payload); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), data[:core.HeaderSize+len(payload)]) {
			t.Fatalf("re-encoding differs from the input")
		}
		if err := h.Validate(); err != nil && !errors.Is(err, core.ErrBadRequest) {
			t.Fatalf("Validate returned unclassified %v", err)
		}
	})
}

// FuzzReadResponse guards the decoder clients use on the server's answers.
func FuzzReadResponse(f *testing.F) {
	ok := make([]byte, core.HeaderSize)
	core.PutResponseHeader(ok, &core.ResponseHeader{Status: core.StatusOK, JobID: 3, Length: 2})
	f.Add(append(ok, "hi"...))
	bad := make([]byte, core.HeaderSize)
	core.PutResponseHeader(bad, &core.ResponseHeader{Status: core.StatusBusy, Length: 0xFFFFFFFF})
	f.Add(bad)
	f.Add([]byte("TIMS\x01\x09"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 1 << 16
		h, payload, err := core.ReadResponse(bytes.NewReader(data), limit, nil)
		if err != nil {
			switch {
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, core.ErrBadMagic),
				errors.Is(err, core.ErrUnsupported), errors.Is(err, core.ErrBadResponse):
			default:
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if h.Status >= core.NumStatus || len(payload) != int(h.Length) || len(payload) > limit {
			t.Fatalf("accepted %+v with %d payload bytes", h, len(payload))
		}
	})
}
