package core

import (
	"encoding/binary"
	"fmt"
	"time"
)

// HeaderSize is the size in bytes of every request and response header.
const HeaderSize = 32

// Version is the protocol version this package speaks.
const Version = 1

// Magic numbers that open request and response frames.
var (
	RequestMagic  = [4]byte{'T', 'I', 'M', 'Q'}
	ResponseMagic = [4]byte{'T', 'I', 'M', 'S'}
)

// MaxMessage is the longest error message a response carries, in bytes.
const MaxMessage = 1024

// Op is a request's operation code.
type Op uint8

// Operations of protocol version 1.
const (
	OpNoop      Op = 0 // echo the payload
	OpThumbnail Op = 1 // fit inside arg1 x arg2, never enlarge
	OpGrayscale Op = 2 // 8-bit gray
	OpBlur      Op = 3 // box blur of radius arg1
	OpSpin      Op = 4 // busy a core for arg1 µs
	OpSleep     Op = 5 // wait arg1 µs
)

var opNames = [...]string{"noop", "thumbnail", "grayscale", "blur", "spin", "sleep"}

// String returns the operation's lower-case name, as command lines spell it.
func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return fmt.Sprintf("op(%d)", uint8(o))
}

// ParseOp returns the operation named s (as [Op.String] spells it).
func ParseOp(s string) (Op, error) {
	for i, n := range opNames {
		if n == s {
			return Op(i), nil
		}
	}
	return 0, fmt.Errorf("unknown op %q (want one of %v)", s, opNames)
}

// IsImage reports whether the operation decodes its payload as an image.
func (o Op) IsImage() bool { return o == OpThumbnail || o == OpGrayscale || o == OpBlur }

// Format is the output encoding a request asks for.
type Format uint8

// Output formats.
const (
	FormatSame Format = 0 // as the input; GIF input gives PNG
	FormatPNG  Format = 1
	FormatJPEG Format = 2
)

var formatNames = [...]string{"same", "png", "jpeg"}

// String returns the format's name, as command lines spell it.
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("format(%d)", uint8(f))
}

// ParseFormat returns the format named s ("same", "png", "jpeg"; "jpg" too).
func ParseFormat(s string) (Format, error) {
	if s == "jpg" {
		return FormatJPEG, nil
	}
	for i, n := range formatNames {
		if n == s {
			return Format(i), nil
		}
	}
	return 0, fmt.Errorf("unknown format %q (want one of %v)", s, formatNames)
}

// Status is a response's status code.
type Status uint8

// Status codes of protocol version 1.
const (
	StatusOK           Status = 0
	StatusBusy         Status = 1
	StatusBadRequest   Status = 2
	StatusTooLarge     Status = 3
	StatusUnsupported  Status = 4
	StatusTimeout      Status = 5
	StatusShuttingDown Status = 6
	StatusInternal     Status = 7
)

// NumStatus is the number of status codes; codes are 0..NumStatus-1.
const NumStatus = 8

var statusNames = [...]string{"OK", "BUSY", "BAD_REQUEST", "TOO_LARGE", "UNSUPPORTED", "TIMEOUT", "SHUTTING_DOWN", "INTERNAL"}

// String returns the status's name as PROTOCOL.md writes it.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("STATUS(%d)", uint8(s))
}

// RequestHeader is the fixed header of a request frame.
type RequestHeader struct {
	Version  uint8
	Op       Op
	Format   Format
	Quality  uint8  // JPEG quality 1..100; 0 means 85
	JobID    uint64 // opaque, echoed
	Arg1     uint32
	Arg2     uint32
	Deadline uint32 // ms the client will wait for the job to start; 0 = none
	Length   uint32 // payload bytes that follow
}

// DeadlineDuration returns the request's deadline as a duration (0 = none).
func (h *RequestHeader) DeadlineDuration() time.Duration {
	return time.Duration(h.Deadline) * time.Millisecond
}

// ResponseHeader is the fixed header of a response frame.
type ResponseHeader struct {
	Version   uint8
	Status    Status
	JobID     uint64
	QueueUS   uint32 // µs from the request read whole to its job starting
	ServiceUS uint32 // µs the job ran
	Length    uint32 // payload bytes that follow
}

// AppendRequestHeader appends the 32-byte encoding of h to b. Version 0 is
// written as [Version], so a zero header is a valid version-1 header.
func AppendRequestHeader(b []byte, h *RequestHeader) []byte {
	v := h.Version
	if v == 0 {
		v = Version
	}
	b = append(b, RequestMagic[:]...)
	b = append(b, v, byte(h.Op), byte(h.Format), h.Quality)
	b = binary.BigEndian.AppendUint64(b, h.JobID)
	b = binary.BigEndian.AppendUint32(b, h.Arg1)
	b = binary.BigEndian.AppendUint32(b, h.Arg2)
	b = binary.BigEndian.AppendUint32(b, h.Deadline)
	return binary.BigEndian.AppendUint32(b, h.Length)
}

// PutResponseHeader writes the 32-byte encoding of h into b[:HeaderSize].
// Version 0 is written as [Version].
func PutResponseHeader(b []byte, h *ResponseHeader) {
	_ = b[HeaderSize-1]
	v := h.Version
	if v == 0 {
		v = Version
	}
	copy(b, ResponseMagic[:])
	b[4], b[5], b[6], b[7] = v, byte(h.Status), 0, 0
	binary.BigEndian.PutUint64(b[8:], h.JobID)
	binary.BigEndian.PutUint32(b[16:], h.QueueUS)
	binary.BigEndian.PutUint32(b[20:], h.ServiceUS)
	binary.BigEndian.PutUint32(b[24:], 0)
	binary.BigEndian.PutUint32(b[28:], h.Length)
}

// DecodeRequestHeader parses a request header. It checks only what framing
// needs: the magic (ErrBadMagic) and the version (ErrUnsupported). The
// header's other fields are returned even then, so a caller can echo the job
// id; [RequestHeader.Validate] checks the rest.
func DecodeRequestHeader(b []byte) (RequestHeader, error) {
	if len(b) < HeaderSize {
		return RequestHeader{}, fmt.Errorf("%w: header is %d bytes, want %d", ErrShortHeader, len(b), HeaderSize)
	}
	h := RequestHeader{
		Version:  b[4],
		Op:       Op(b[5]),
		Format:   Format(b[6]),
		Quality:  b[7],
		JobID:    binary.BigEndian.Uint64(b[8:]),
		Arg1:     binary.BigEndian.Uint32(b[16:]),
		Arg2:     binary.BigEndian.Uint32(b[20:]),
		Deadline: binary.BigEndian.Uint32(b[24:]),
		Length:   binary.BigEndian.Uint32(b[28:]),
	}
	if [4]byte(b[:4]) != RequestMagic {
		return h, fmt.Errorf("%w: got %q, want %q", ErrBadMagic, b[:4], RequestMagic[:])
	}
	if h.Version != Version {
		return h, fmt.Errorf("%w: version %d, this server speaks %d", ErrUnsupported, h.Version, Version)
	}
	return h, nil
}

// DecodeResponseHeader parses a response header, checking magic and version.
func DecodeResponseHeader(b []byte) (ResponseHeader, error) {
	if len(b) < HeaderSize {
		return ResponseHeader{}, fmt.Errorf("%w: header is %d bytes, want %d", ErrShortHeader, len(b), HeaderSize)
	}
	h := ResponseHeader{
		Version:   b[4],
		Status:    Status(b[5]),
		JobID:     binary.BigEndian.Uint64(b[8:]),
		QueueUS:   binary.BigEndian.Uint32(b[16:]),
		ServiceUS: binary.BigEndian.Uint32(b[20:]),
		Length:    binary.BigEndian.Uint32(b[28:]),
	}
	if [4]byte(b[:4]) != ResponseMagic {
		return h, fmt.Errorf("%w: got %q, want %q", ErrBadMagic, b[:4], ResponseMagic[:])
	}
	if h.Version != Version {
		return h, fmt.Errorf("%w: version %d, want %d", ErrUnsupported, h.Version, Version)
	}
	if h.Status >= NumStatus {
		return h, fmt.Errorf("%w: unknown status %d", ErrBadResponse, h.Status)
	}
	return h, nil
}

// Argument ranges of protocol version 1.
const (
	MaxBlurRadius      = 64
	MaxSpinUS          = 10_000_000
	MaxSleepUS         = 10_000_000
	DefaultJPEGQuality = 85
)

// Validate checks the fields that do not need the payload: op, format,
// quality and the op's arguments. Its errors wrap ErrBadRequest.
func (h *RequestHeader) Validate() error {
	if h.Format > FormatJPEG {
		return fmt.Errorf("%w: unknown format %d", ErrBadRequest, h.Format)
	}
	if h.Quality > 100 {
		return fmt.Errorf("%w: quality %d out of 0..100", ErrBadRequest, h.Quality)
	}
	switch h.Op {
	case OpNoop, OpGrayscale:
	case OpThumbnail:
		if h.Arg1 == 0 && h.Arg2 == 0 {
			return fmt.Errorf("%w: thumbnail box 0x0", ErrBadRequest)
		}
	case OpBlur:
		if h.Arg1 < 1 || h.Arg1 > MaxBlurRadius {
			return fmt.Errorf("%w: blur radius %d out of 1..%d", ErrBadRequest, h.Arg1, MaxBlurRadius)
		}
	case OpSpin:
		if h.Arg1 < 1 || h.Arg1 > MaxSpinUS {
			return fmt.Errorf("%w: spin %d µs out of 1..%d", ErrBadRequest, h.Arg1, MaxSpinUS)
		}
	case OpSleep:
		if h.Arg1 < 1 || h.Arg1 > MaxSleepUS {
			return fmt.Errorf("%w: sleep %d µs out of 1..%d", ErrBadRequest, h.Arg1, MaxSleepUS)
		}
	default:
		return fmt.Errorf("%w: unknown op %d", ErrBadRequest, uint8(h.Op))
	}
	return nil
}
