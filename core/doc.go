// Package core is the heart of tcpimg: the version-1 wire protocol, the image
// operations, the concurrency contracts (Pool, Limiter, Queue) and the Server
// that ties them together.
//
// The protocol is specified in PROTOCOL.md; this package is its reference
// implementation. Request and response frames are fixed 32-byte headers
// followed by a payload; [DecodeRequestHeader] and [DecodeResponseHeader] never
// allocate, and [ReadRequest] checks a frame's length against the limit before
// it allocates a payload buffer.
//
// The Server does not know which concurrency strategy it runs: it consumes the
// small interfaces [Pool], [Limiter] and, optionally, [Admitter] (an
// adaptive limit on the jobs admitted, in front of the pool), and a
// fixed-worker pool can be built from any [Queue] with [NewWorkerPool]. The
// package strategies holds the implementations and a registry that names
// them. When a Config leaves them nil, the Server uses the simplest bounded
// patterns in Go, kept here so that a zero Config works without that
// package: fixed workers reading a buffered channel ([NewChanQueue]), a
// buffered-channel semaphore ([NewChanLimiter]), and no admission limit.
// The registry's defaults are these same types. A queue that manages its
// delay ([ShedQueue]) may refuse a task after accepting it, if the task has
// the optional [Rejecter] ability: the Server's jobs have it, and a job so
// refused is answered BUSY without running.
//
// With Config.TLS the Server speaks TLS: each connection completes its
// handshake in its own goroutine, once it holds a Limiter slot, under
// Limits.HandshakeTimeout, and the protocol runs unchanged inside.
//
// Errors are classified with errors.Is against the sentinels in errors.go,
// and [StatusOf] maps them to wire status codes in one place.
package core
