// Package loadclient is the client side of the wire protocol that load
// needs and a request-at-a-time client does not: a [Conn] that keeps a
// window of requests in flight on one connection and pairs the answers,
// which come back in any order, with their requests by job id; a [Tally]
// that adds up what became of every request; and the HDR [Histogram] that
// latency is kept in.
//
// cmd/client and package harness both build on it, so that a batch sent
// by hand and a benchmark run count, pair and measure alike. It imports
// only core and HdrHistogram, so a command can use it without pulling in
// the strategies or the plots.
//
// # Vocabulary
//
// A [Request] is one request handed to a [Conn]. A [Result] is what became
// of one request: its answer and its latency, or an answer that no request
// awaited. A [Tally] adds the results of a whole run into [Counts].
package loadclient
