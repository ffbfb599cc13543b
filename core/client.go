package core

import (
	"bufio"
	"net"
	"sync"
	"time"
)

// Response is one decoded response frame.
type Response struct {
	ResponseHeader
	Payload []byte // the result on OK, the error message otherwise
}

// Err returns nil for OK and a *StatusError otherwise.
func (r *Response) Err() error {
	if r.Status == StatusOK {
		return nil
	}
	return &StatusError{Status: r.Status, Message: string(r.Payload)}
}

// Queue returns the time the job waited in the server's queue.
func (r *Response) Queue() time.Duration { return time.Duration(r.QueueUS) * time.Microsecond }

// Service returns the time the job ran.
func (r *Response) Service() time.Duration { return time.Duration(r.ServiceUS) * time.Microsecond }

// ClientConn is a pipelining protocol client on one connection: Send may be
// called from one goroutine while Recv runs in another. It does no
// bookkeeping of job ids; that is the caller's business, as in the protocol.
type ClientConn struct {
	conn net.Conn
	r    *bufio.Reader
	wmu  sync.Mutex
	w    *bufio.Writer
	// MaxPayload bounds the response payloads Recv accepts (0: no bound).
	MaxPayload uint32
}

// Dial connects to a server at addr ("host:port").
func Dial(addr string) (*ClientConn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return NewClientConn(c), nil
}

// NewClientConn wraps an established connection.
func NewClientConn(c net.Conn) *ClientConn {
	return &ClientConn{conn: c, r: bufio.NewReaderSize(c, 64<<10), w: bufio.NewWriterSize(c, 64<<10)}
}

// Conn returns the underlying connection.
func (c *ClientConn) Conn() net.Conn { return c.conn }

// Send writes one request and flushes it.
func (c *ClientConn) Send(h RequestHeader, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.write(h, payload); err != nil {
		return err
	}
	return c.w.Flush()
}

// SendBuffered writes one request without flushing; call Flush to send a
// batch of requests in few writes.
func (c *ClientConn) SendBuffered(h RequestHeader, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.write(h, payload)
}

func (c *ClientConn) write(h RequestHeader, payload []byte) error {
	h.Length = uint32(len(payload))
	var hb [HeaderSize]byte
	if _, err := c.w.Write(AppendRequestHeader(hb[:0], &h)); err != nil {
		return err
	}
	_, err := c.w.Write(payload)
	return err
}

// Flush sends buffered requests.
func (c *ClientConn) Flush() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.w.Flush()
}

// CloseWrite half-closes the connection: the server answers what it has
// read and then closes.
func (c *ClientConn) CloseWrite() error {
	if err := c.Flush(); err != nil {
		return err
	}
	if cw, ok := c.conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Recv reads the next response. The payload is freshly allocated.
func (c *ClientConn) Recv() (Response, error) {
	h, p, err := ReadResponse(c.r, c.MaxPayload, nil)
	return Response{ResponseHeader: h, Payload: p}, err
}

// RecvInto reads the next response into buf when it is large enough, so a
// load generator can reuse one buffer.
func (c *ClientConn) RecvInto(buf []byte) (Response, error) {
	h, p, err := ReadResponse(c.r, c.MaxPayload, buf)
	return Response{ResponseHeader: h, Payload: p}, err
}

// Close closes the connection.
func (c *ClientConn) Close() error { return c.conn.Close() }
