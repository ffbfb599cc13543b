package core

import (
	"context"
	"errors"
	"unicode/utf8"
)

// Sentinel errors. Callers classify with errors.Is; [StatusOf] maps each to
// the wire status it is answered with.
var (
	// ErrBusy: a pool, queue or limiter is full and refuses without waiting.
	ErrBusy = errors.New("busy")
	// ErrClosed: the pool, queue or server has been shut down.
	ErrClosed = errors.New("closed")

	// ErrBadRequest: an unknown op or format, an argument out of range, or a
	// payload that is not a decodable image.
	ErrBadRequest = errors.New("bad request")
	// ErrTooLarge: a frame over the length limit or an image over the pixel limit.
	ErrTooLarge = errors.New("too large")
	// ErrUnsupported: a protocol version other than 1.
	ErrUnsupported = errors.New("unsupported version")
	// ErrTimeout: the job could not start within the request's deadline.
	ErrTimeout = errors.New("deadline passed before the job started")
	// ErrShuttingDown: the request arrived after shutdown began.
	ErrShuttingDown = errors.New("server shutting down")
	// ErrInternal: the job failed inside the server (a recovered panic).
	ErrInternal = errors.New("internal error")

	// ErrBadMagic: a frame does not start with the expected magic; framing is lost.
	ErrBadMagic = errors.New("bad magic")
	// ErrShortHeader: fewer than HeaderSize bytes were given to a decoder.
	ErrShortHeader = errors.New("short header")
	// ErrBadResponse: a response frame a client cannot make sense of.
	ErrBadResponse = errors.New("bad response")
)

// StatusOf maps an error to the wire status it is answered with. It is the
// one place where errors become status codes: nil is OK, and an error that
// matches no sentinel is INTERNAL.
func StatusOf(err error) Status {
	switch {
	case err == nil:
		return StatusOK
	case errors.Is(err, ErrBusy):
		return StatusBusy
	case errors.Is(err, ErrBadRequest), errors.Is(err, ErrBadMagic):
		return StatusBadRequest
	case errors.Is(err, ErrTooLarge):
		return StatusTooLarge
	case errors.Is(err, ErrUnsupported):
		return StatusUnsupported
	case errors.Is(err, ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return StatusTimeout
	case errors.Is(err, ErrShuttingDown), errors.Is(err, ErrClosed):
		return StatusShuttingDown
	default:
		return StatusInternal
	}
}

// StatusError is the error a client gets for a response whose status is not
// OK: the status and the server's message.
type StatusError struct {
	Status  Status
	Message string
}

// Error returns "STATUS: message".
func (e *StatusError) Error() string {
	if e.Message == "" {
		return e.Status.String()
	}
	return e.Status.String() + ": " + e.Message
}

// Is lets errors.Is match a StatusError against the sentinel of its status,
// so clients classify server answers the same way the server does.
func (e *StatusError) Is(target error) bool {
	s, ok := statusSentinel[target]
	return ok && s == e.Status
}

var statusSentinel = map[error]Status{
	ErrBusy:         StatusBusy,
	ErrBadRequest:   StatusBadRequest,
	ErrTooLarge:     StatusTooLarge,
	ErrUnsupported:  StatusUnsupported,
	ErrTimeout:      StatusTimeout,
	ErrShuttingDown: StatusShuttingDown,
	ErrInternal:     StatusInternal,
}

// message returns err's text cut to MaxMessage bytes on a rune boundary.
func message(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if len(s) <= MaxMessage {
		return s
	}
	s = s[:MaxMessage]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
