package core

import (
	"fmt"
	"io"
	"net"
)

// ReadRequest reads one request frame from r. It checks the header (magic,
// version) and the length against maxFrame before it allocates the payload,
// so a hostile length costs nothing. On ErrBadMagic, ErrUnsupported and
// ErrTooLarge the header is returned (for its job id) and the payload is not
// read. buf, when large enough, is used for the payload.
func ReadRequest(r io.Reader, maxFrame uint32, buf []byte) (RequestHeader, []byte, error) {
	var hb [HeaderSize]byte
	if _, err := io.ReadFull(r, hb[:]); err != nil {
		return RequestHeader{}, nil, err
	}
	h, err := DecodeRequestHeader(hb[:])
	if err != nil {
		return h, nil, err
	}
	if h.Length > maxFrame {
		return h, nil, errFrameTooLarge(h.Length, maxFrame)
	}
	payload := grow(buf, int(h.Length))
	if _, err := io.ReadFull(r, payload); err != nil {
		return h, nil, noEOF(err)
	}
	return h, payload, nil
}

func errFrameTooLarge(n, limit uint32) error {
	return fmt.Errorf("%w: frame of %d bytes over the limit of %d", ErrTooLarge, n, limit)
}

// WriteRequest writes one request frame (header and payload in one write);
// h.Length is set from the payload.
func WriteRequest(w io.Writer, h RequestHeader, payload []byte) error {
	h.Length = uint32(len(payload))
	hb := AppendRequestHeader(make([]byte, 0, HeaderSize), &h)
	bufs := net.Buffers{hb, payload}
	_, err := bufs.WriteTo(w)
	return err
}

// ReadResponse reads one response frame from r, refusing a payload longer
// than maxPayload (0 means no limit) before allocating it.
func ReadResponse(r io.Reader, maxPayload uint32, buf []byte) (ResponseHeader, []byte, error) {
	var hb [HeaderSize]byte
	if _, err := io.ReadFull(r, hb[:]); err != nil {
		return ResponseHeader{}, nil, err
	}
	h, err := DecodeResponseHeader(hb[:])
	if err != nil {
		return h, nil, err
	}
	if maxPayload > 0 && h.Length > maxPayload {
		return h, nil, fmt.Errorf("%w: payload of %d bytes over the limit of %d", ErrBadResponse, h.Length, maxPayload)
	}
	payload := grow(buf, int(h.Length))
	if _, err := io.ReadFull(r, payload); err != nil {
		return h, nil, noEOF(err)
	}
	return h, payload, nil
}

// grow returns buf[:n] when it has the capacity, else a new slice.
func grow(buf []byte, n int) []byte {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]byte, n)
}

// noEOF turns an EOF inside a frame into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
