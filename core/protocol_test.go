package core_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
)

func TestRequestHeaderRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		give core.RequestHeader
	}{
		{"zero is version 1 noop", core.RequestHeader{}},
		{"every field", core.RequestHeader{Version: 1, Op: core.OpBlur, Format: core.FormatJPEG, Quality: 100,
			JobID: 0xFEEDFACECAFEBEEF, Arg1: 64, Arg2: 0xFFFFFFFF, Deadline: 1234, Length: 99}},
		{"thumbnail", core.RequestHeader{Op: core.OpThumbnail, Arg1: 128, Arg2: 96, Length: 1 << 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := core.AppendRequestHeader(nil, &tt.give)
			require.Len(t, b, core.HeaderSize)
			assert.Equal(t, "TIMQ", string(b[:4]))
			got, err := core.DecodeRequestHeader(b)
			require.NoError(t, err)
			want := tt.give
			want.Version = core.Version
			assert.Equal(t, want, got)
		})
	}
}

func TestResponseHeaderRoundTrip(t *testing.T) {
	for st := range core.Status(core.NumStatus) {
		give := core.ResponseHeader{Status: st, JobID: uint64(st) << 40, QueueUS: 7, ServiceUS: 1 << 31, Length: 5}
		b := make([]byte, core.HeaderSize)
		core.PutResponseHeader(b, &give)
		assert.Equal(t, "TIMS", string(b[:4]))
		assert.Equal(t, []byte{0, 0}, b[6:8], "reserved")
		assert.Equal(t, []byte{0, 0, 0, 0}, b[24:28], "reserved")
		got, err := core.DecodeResponseHeader(b)
		require.NoError(t, err)
		give.Version = core.Version
		assert.Equal(t, give, got)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		give    []byte
		wantErr error
	}{
		{"short", []byte("TIMQ"), core.ErrShortHeader},
		{"bad magic", rawHeader("TIMX", 1, 0, 0, 0, 0, 0, 0, 0, 0), core.ErrBadMagic},
		{"version 2", rawHeader("TIMQ", 2, 0, 0, 0, 0, 0, 0, 0, 0), core.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := core.DecodeRequestHeader(tt.give)
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestReadRequestChecksLengthBeforeAllocating(t *testing.T) {
	hdr := rawHeader("TIMQ", 1, 0, 0, 0, 5, 0, 0, 0, 0xFFFFFFFF)
	allocs := testing.AllocsPerRun(100, func() {
		h, p, err := core.ReadRequest(bytes.NewReader(hdr), 1<<20, nil)
		if !errors.Is(err, core.ErrTooLarge) || h.JobID != 5 || p != nil {
			t.Fatalf("got %v %v %v", h, p, err)
		}
	})
	// The error value itself allocates; a payload buffer would be 4 GiB.
	assert.LessOrEqual(t, allocs, 8.0)
}

func TestReadRequestTruncated(t *testing.T) {
	full := append(rawHeader("TIMQ", 1, 0, 0, 0, 5, 0, 0, 0, 10), "0123456789"...)
	for n := range len(full) {
		_, _, err := core.ReadRequest(bytes.NewReader(full[:n]), 1<<20, nil)
		if n == 0 {
			assert.ErrorIs(t, err, io.EOF)
		} else {
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "cut at %d", n)
		}
	}
	h, p, err := core.ReadRequest(bytes.NewReader(full), 1<<20, nil)
	require.NoError(t, err)
	assert.Equal(t, uint64(5), h.JobID)
	assert.Equal(t, "0123456789", string(p))
}

func TestStatusOf(t *testing.T) {
	tests := []struct {
		give error
		want core.Status
	}{
		{nil, core.StatusOK},
		{core.ErrBusy, core.StatusBusy},
		{core.ErrBadRequest, core.StatusBadRequest},
		{core.ErrBadMagic, core.StatusBadRequest},
		{core.ErrTooLarge, core.StatusTooLarge},
		{core.ErrUnsupported, core.StatusUnsupported},
		{core.ErrTimeout, core.StatusTimeout},
		{core.ErrShuttingDown, core.StatusShuttingDown},
		{core.ErrClosed, core.StatusShuttingDown},
		{core.ErrInternal, core.StatusInternal},
		{errors.New("anything else"), core.StatusInternal},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, core.StatusOf(tt.give), "%v", tt.give)
		if tt.give != nil && tt.want != core.StatusOK {
			// A client's StatusError matches the same sentinel family.
			se := &core.StatusError{Status: tt.want, Message: "m"}
			assert.Equal(t, tt.want, core.StatusOf(se), "round trip of %v", tt.give)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		give core.RequestHeader
		ok   bool
	}{
		{"noop", core.RequestHeader{Op: core.OpNoop}, true},
		{"thumbnail width only", core.RequestHeader{Op: core.OpThumbnail, Arg1: 10}, true},
		{"thumbnail height only", core.RequestHeader{Op: core.OpThumbnail, Arg2: 10}, true},
		{"thumbnail 0x0", core.RequestHeader{Op: core.OpThumbnail}, false},
		{"blur 1", core.RequestHeader{Op: core.OpBlur, Arg1: 1}, true},
		{"blur 64", core.RequestHeader{Op: core.OpBlur, Arg1: 64}, true},
		{"blur 65", core.RequestHeader{Op: core.OpBlur, Arg1: 65}, false},
		{"spin max", core.RequestHeader{Op: core.OpSpin, Arg1: core.MaxSpinUS}, true},
		{"sleep 0", core.RequestHeader{Op: core.OpSleep}, false},
		{"quality 100", core.RequestHeader{Quality: 100}, true},
		{"quality 101", core.RequestHeader{Quality: 101}, false},
		{"format 3", core.RequestHeader{Format: 3}, false},
		{"op 6", core.RequestHeader{Op: 6}, false},
		{"grayscale ignores args", core.RequestHeader{Op: core.OpGrayscale, Arg1: 1 << 31}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.give.Validate()
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, core.ErrBadRequest)
			}
		})
	}
}
