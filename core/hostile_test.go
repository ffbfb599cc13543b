package core_test

// The hostile-input suite: clients that lie in their headers, send images
// built to exhaust memory, or payloads that break decoders. Every case runs
// against every registered pool strategy. TestRefusals (server_test.go)
// already holds every malformed header to its status; the cases here add
// what a hostile client does around those headers.

import (
	"bytes"
	"image"
	"image/png"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
	"github.com/tcpimg/tcpimg/testdata/gen/hostile"
)

// noPayloadAlloc bounds what answering one refused frame may allocate,
// client and server together: buffers of a few KiB and a response. A
// payload allocated for the frame would be at least 32 MiB.
const noPayloadAlloc = 1 << 20

// warm sends one NOOP and reads its answer, so that the connection's
// buffers on both sides exist before a measurement starts.
func warm(t *testing.T, c *core.ClientConn) {
	t.Helper()
	require.NoError(t, c.Send(core.RequestHeader{Op: core.OpNoop, JobID: 1}, []byte("warm")))
	require.Equal(t, core.StatusOK, recvAll(t, c, 1)[0].Status)
}

// A length over the frame limit is refused from the header alone:
// TOO_LARGE, connection closed, no payload buffer allocated, and the
// answer survives a client that goes on pushing its payload.
func TestHostileFrameLength(t *testing.T) {
	tests := []struct {
		name   string
		give   uint32 // length field
		follow int    // payload bytes the client pushes after the header
	}{
		{"0xFFFFFFFF", 0xFFFFFFFF, 0},
		{"just over the limit", core.DefaultMaxFrame + 1, 0},
		{"just over the limit, payload pushed", core.DefaultMaxFrame + 1, 256 << 10},
	}
	forEachPool(t, func(t *testing.T, pool string) {
		ts := startServer(t, withPool(t, pool, strategies.PoolConfig{Workers: 1, QueueSize: core.DefaultQueueSize}, core.Config{}))
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := dial(t, ts.Addr)
				warm(t, c)
				pushed := make(chan error, 1)
				var r core.Response
				allocs := allocated(func() {
					_, err := c.Conn().Write(rawHeader("TIMQ", 1, 0, 0, 0, 42, 0, 0, 0, tt.give))
					require.NoError(t, err)
					go func() {
						// Writes fail once the server has closed: expected.
						_, err := c.Conn().Write(make([]byte, tt.follow))
						pushed <- err
					}()
					r = recvAll(t, c, 1)[0]
				})
				assert.Equal(t, core.StatusTooLarge, r.Status, "%s", r.Payload)
				assert.Equal(t, uint64(42), r.JobID)
				expectClosed(t, c)
				c.Close()
				<-pushed
				assert.Less(t, allocs, uint64(noPayloadAlloc), "bytes allocated while refusing the frame")
			})
		}
		st := assertConsistent(t, ts)
		assert.Equal(t, uint64(len(tests)), st.Refused)
	})
}

// Once framing is lost (wrong magic) or the version is not one the
// server speaks, it answers once with job id 0 and reads nothing more: the
// valid frames the client sent behind the bad header are never run.
func TestHostileFramingLost(t *testing.T) {
	tests := []struct {
		name       string
		give       []byte
		wantStatus core.Status
		wantID     uint64
	}{
		{"wrong magic", rawHeader("GET ", 1, 0, 0, 0, 7, 0, 0, 0, 0), core.StatusBadRequest, 0},
		{"version 2", rawHeader("TIMQ", 2, 0, 0, 0, 7, 0, 0, 0, 0), core.StatusUnsupported, 0},
		{"version 255", rawHeader("TIMQ", 255, 0, 0, 0, 7, 0, 0, 0, 0), core.StatusUnsupported, 0},
		{"length over the limit", rawHeader("TIMQ", 1, 0, 0, 0, 7, 0, 0, 0, 4097), core.StatusTooLarge, 7},
	}
	forEachPool(t, func(t *testing.T, pool string) {
		ts := startServer(t, withPool(t, pool, strategies.PoolConfig{QueueSize: core.DefaultQueueSize}, core.Config{Limits: core.Limits{MaxFrame: 4096}}))
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := dial(t, ts.Addr)
				var frames bytes.Buffer
				frames.Write(tt.give)
				for id := range uint64(3) {
					require.NoError(t, core.WriteRequest(&frames, core.RequestHeader{Op: core.OpNoop, JobID: 100 + id}, []byte("after")))
				}
				_, err := c.Conn().Write(frames.Bytes())
				require.NoError(t, err)
				r := recvAll(t, c, 1)[0]
				assert.Equal(t, tt.wantStatus, r.Status, "%s", r.Payload)
				assert.Equal(t, tt.wantID, r.JobID)
				expectClosed(t, c)
			})
		}
		st := assertConsistent(t, ts)
		assert.Zero(t, st.Accepted, "a frame behind a lost frame was run")
		assert.Equal(t, uint64(len(tests)), st.Refused)
	})
}

// Requests whose header is well framed but wrong are answered
// BAD_REQUEST with their own id, their payload is skipped so framing holds,
// and the valid requests pipelined between them are served.
func TestHostileBadArguments(t *testing.T) {
	junk := bytes.Repeat([]byte("junk"), 300)
	tests := []struct {
		name string
		give []byte // a header; junk follows as its payload
	}{
		{"unknown op", rawHeader("TIMQ", 1, 6, 0, 0, 0, 0, 0, 0, 0)},
		{"op 255", rawHeader("TIMQ", 1, 255, 0, 0, 0, 0, 0, 0, 0)},
		{"unknown format", rawHeader("TIMQ", 1, 0, 3, 0, 0, 0, 0, 0, 0)},
		{"quality 101", rawHeader("TIMQ", 1, 0, 2, 101, 0, 0, 0, 0, 0)},
		{"blur radius 0", rawHeader("TIMQ", 1, 3, 0, 0, 0, 0, 0, 0, 0)},
		{"blur radius 65", rawHeader("TIMQ", 1, 3, 0, 0, 0, 65, 0, 0, 0)},
		{"spin over the maximum", rawHeader("TIMQ", 1, 4, 0, 0, 0, core.MaxSpinUS+1, 0, 0, 0)},
		{"spin 0xFFFFFFFF", rawHeader("TIMQ", 1, 4, 0, 0, 0, 0xFFFFFFFF, 0, 0, 0)},
		{"sleep over the maximum", rawHeader("TIMQ", 1, 5, 0, 0, 0, core.MaxSleepUS+1, 0, 0, 0)},
		{"thumbnail 0x0", rawHeader("TIMQ", 1, 1, 0, 0, 0, 0, 0, 0, 0)},
	}
	forEachPool(t, func(t *testing.T, pool string) {
		ts := startServer(t, withPool(t, pool, strategies.PoolConfig{Workers: 2, QueueSize: core.DefaultQueueSize}, core.Config{Admission: core.AdmissionBlock}))
		c := dial(t, ts.Addr)
		// One write: bad request i has id 2i+1, the NOOP after it id 2i+2.
		var frames bytes.Buffer
		for i, tt := range tests {
			h, err := core.DecodeRequestHeader(tt.give)
			require.NoError(t, err, tt.name)
			h.JobID = uint64(2*i + 1)
			require.NoError(t, core.WriteRequest(&frames, h, junk))
			require.NoError(t, core.WriteRequest(&frames, core.RequestHeader{Op: core.OpNoop, JobID: uint64(2*i + 2)}, []byte(tt.name)))
		}
		_, err := c.Conn().Write(frames.Bytes())
		require.NoError(t, err)
		got := map[uint64]core.Response{}
		for _, r := range recvAll(t, c, 2*len(tests)) {
			require.NotContains(t, got, r.JobID, "job %d answered twice", r.JobID)
			got[r.JobID] = r
		}
		for i, tt := range tests {
			bad, ok := got[uint64(2*i+1)], got[uint64(2*i+2)]
			assert.Equal(t, core.StatusBadRequest, bad.Status, "%s: %s", tt.name, bad.Payload)
			assert.Equal(t, core.StatusOK, ok.Status, "the NOOP after %s: %s", tt.name, ok.Payload)
			assert.Equal(t, tt.name, string(ok.Payload))
		}
		// The connection is still usable.
		require.NoError(t, c.Send(core.RequestHeader{Op: core.OpNoop, JobID: 1000}, nil))
		assert.Equal(t, core.StatusOK, recvAll(t, c, 1)[0].Status)
		st := assertConsistent(t, ts)
		assert.Equal(t, uint64(len(tests)), st.Refused, "bad requests are refused before the queue")
		assert.Equal(t, uint64(len(tests)+1), st.Completed)
	})
}

// Decompression bombs are refused TOO_LARGE from their header, at
// once even while every worker is busy (they never wait in the queue, so
// never reach a decoder), without the heap growing by the image, and the
// connection stays open.
func TestHostileDecompressionBombs(t *testing.T) {
	ops := []core.RequestHeader{
		{Op: core.OpThumbnail, Arg1: 64, Arg2: 64},
		{Op: core.OpGrayscale},
		{Op: core.OpBlur, Arg1: 2},
	}
	forEachPool(t, func(t *testing.T, pool string) {
		h := newHook(0)
		ts := startHooked(t, pool, strategies.PoolConfig{Workers: 1, QueueSize: 4}, core.Config{}, h)
		c := dial(t, ts.Addr)
		warm(t, c)
		busy := dial(t, ts.Addr)
		sendAll(t, busy, marked(1, markHold))
		h.waitHeld(t, 1) // the only worker is taken until the bombs are answered
		var id uint64
		for _, b := range bombs() {
			require.Less(t, len(b.data), 1024, b.name)
			for _, op := range ops {
				id++
				op.JobID = id
				var r core.Response
				allocs := allocated(func() {
					require.NoError(t, c.Send(op, b.data))
					r = recvAll(t, c, 1)[0]
				})
				assert.Equal(t, core.StatusTooLarge, r.Status, "%s %v: %s", b.name, op.Op, r.Payload)
				assert.Equal(t, id, r.JobID)
				assert.Less(t, allocs, uint64(noPayloadAlloc), "%s %v: bytes allocated", b.name, op.Op)
			}
		}
		h.releaseHeld()
		assert.Equal(t, core.StatusOK, recvAll(t, busy, 1)[0].Status)
		// Refused with the connection kept: a valid image job follows.
		img := sampleNamed(t, "gray-256x256.png").data
		require.NoError(t, c.Send(core.RequestHeader{Op: core.OpThumbnail, JobID: 999, Arg1: 16, Arg2: 16}, img))
		r := recvAll(t, c, 1)[0]
		require.Equal(t, core.StatusOK, r.Status, "%s", r.Payload)
		st := assertConsistent(t, ts)
		assert.Equal(t, uint64(id), st.Refused)
		assert.Equal(t, uint64(3), st.Accepted, "only the hold, the warm-up and the valid job were queued")
	})
}

// Payloads that pass the header check but not the decoder, and
// payloads that are no image at all, are BAD_REQUEST with a short message
// and no partial output; the same connection then serves a valid job.
// TestBadPayloads holds every operation to this on Process itself; here each
// payload goes through the server once.
func TestHostileCorruptImages(t *testing.T) {
	pngData := sampleNamed(t, "gray-256x256.png").data
	gifData := sampleNamed(t, "anim-160x120.gif").data
	src, err := png.Decode(bytes.NewReader(pngData))
	require.NoError(t, err)
	progressive := hostile.ProgressiveJPEG(src)
	badCRC := bytes.Clone(pngData)
	badCRC[len(badCRC)-20] ^= 0xff // inside the last IDAT or its CRC
	garbage := bytes.Clone(pngData[:33])
	garbage = append(garbage, bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 256)...)
	random := make([]byte, 2048)
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	small := grayPNG(t, 24, 24)
	tests := []struct {
		name string
		give []byte
		op   core.RequestHeader
	}{
		{"png header then garbage", garbage, core.RequestHeader{Op: core.OpThumbnail, Arg1: 32, Arg2: 32}},
		{"png with a corrupt chunk", badCRC, core.RequestHeader{Op: core.OpGrayscale, Format: core.FormatJPEG}},
		{"truncated gif", gifData[:len(gifData)/2], core.RequestHeader{Op: core.OpBlur, Arg1: 1}},
		{"truncated progressive jpeg", progressive[:len(progressive)/2], core.RequestHeader{Op: core.OpThumbnail, Arg1: 8}},
		{"random bytes", random, core.RequestHeader{Op: core.OpGrayscale}},
		{"empty payload", nil, core.RequestHeader{Op: core.OpBlur, Arg1: 64, Format: core.FormatPNG}},
	}
	forEachPool(t, func(t *testing.T, pool string) {
		ts := startServer(t, withPool(t, pool, strategies.PoolConfig{Workers: 2, QueueSize: core.DefaultQueueSize}, core.Config{Admission: core.AdmissionBlock}))
		c := dial(t, ts.Addr)
		for i, tt := range tests {
			id := uint64(2 * i)
			tt.op.JobID = id
			require.NoError(t, c.Send(tt.op, tt.give))
			r := recvAll(t, c, 1)[0]
			assert.Equal(t, core.StatusBadRequest, r.Status, "%s: %s", tt.name, r.Payload)
			assert.Equal(t, id, r.JobID)
			assert.LessOrEqual(t, len(r.Payload), core.MaxMessage)
			assert.True(t, utf8.Valid(r.Payload), "%s: the message is not text", tt.name)
			_, _, err := image.DecodeConfig(bytes.NewReader(r.Payload))
			assert.Error(t, err, "%s: the answer holds an image", tt.name)
			// The connection still serves a valid job.
			require.NoError(t, c.Send(core.RequestHeader{Op: core.OpThumbnail, JobID: id + 1, Arg1: 8, Arg2: 8}, small))
			r = recvAll(t, c, 1)[0]
			require.Equal(t, core.StatusOK, r.Status, "after %s: %s", tt.name, r.Payload)
			cfg, _, err := image.DecodeConfig(bytes.NewReader(r.Payload))
			require.NoError(t, err)
			assert.Equal(t, image.Point{8, 8}, image.Pt(cfg.Width, cfg.Height))
		}
		assertConsistent(t, ts)
	})
}

// A panic inside an operation (a decoder bug, say) is answered
// INTERNAL without the partial output, counted, and costs neither the
// worker nor the connection: with a single worker, the jobs after each
// panic still run.
func TestHostileOperationPanics(t *testing.T) {
	forEachPool(t, func(t *testing.T, pool string) {
		h := newHook(0)
		ts := startHooked(t, pool, strategies.PoolConfig{Workers: 1, QueueSize: core.DefaultQueueSize}, core.Config{Admission: core.AdmissionBlock}, h)
		c, other := dial(t, ts.Addr), dial(t, ts.Addr)
		var reqs []core.RequestHeader
		for i := range hookPanics {
			p := marked(uint64(100+i), markPanic)
			p.Arg1 = uint32(i)
			reqs = append(reqs, p, core.RequestHeader{Op: core.OpNoop, JobID: uint64(i)})
		}
		for _, r := range reqs {
			require.NoError(t, c.SendBuffered(r, []byte("payload")))
		}
		require.NoError(t, c.Flush())
		for _, r := range recvAll(t, c, len(reqs)) {
			if r.JobID >= 100 {
				assert.Equal(t, core.StatusInternal, r.Status, "job %d: %s", r.JobID, r.Payload)
				assert.Contains(t, string(r.Payload), "panic")
				assert.NotContains(t, string(r.Payload), "partial output")
				continue
			}
			assert.Equal(t, core.StatusOK, r.Status, "job %d: %s", r.JobID, r.Payload)
			assert.Equal(t, "payload", string(r.Payload))
		}
		// The server and its only worker still serve everyone.
		require.NoError(t, other.Send(core.RequestHeader{Op: core.OpNoop, JobID: 7}, []byte("x")))
		assert.Equal(t, core.StatusOK, recvAll(t, other, 1)[0].Status)
		st := assertConsistent(t, ts)
		assert.Equal(t, uint64(len(hookPanics)), st.Panics)
		assert.Equal(t, uint64(len(hookPanics)), st.Failed)
		assert.Equal(t, uint64(len(hookPanics)+1), st.Completed)
	})
}
