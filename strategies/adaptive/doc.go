// Package adaptive holds tcpimg's adaptive concurrency limits: a
// [core.Admitter] that admits jobs up to a limit ([Admitter]) and the
// algorithms that move the limit ([AIMD], [Gradient2]), after Netflix's
// concurrency-limits library.
//
// An algorithm is a pure state machine: it is fed one [Sample] per finished
// job and answers its new limit, with no clock, goroutine or lock of its
// own, so a test can drive it through a hand-computed sequence. The
// Admitter supplies what an algorithm lacks: the count of jobs in flight,
// the refusal at the limit, and a lock, so one algorithm value is only
// ever updated by one goroutine at a time.
//
// # Scale
//
// Netflix's defaults (a minimum limit of 20, a maximum of 200) are sized
// for RPC services with hundreds of concurrent calls; on a server with two
// workers a minimum of 20 would never bind. [ScaledLimits] derives the
// bounds from the pool the limit sits in front of, instead:
//
//   - Min = workers: below it a worker would sit idle while jobs are
//     refused, which costs throughput and buys no latency.
//   - Initial = 2 x workers (at most Max): one job running and one waiting
//     per worker, enough to keep every worker busy across the gap between
//     a job ending and the next arriving, with no standing queue.
//   - Max = workers + queue size: past it a bounded pool refuses anyway,
//     so a higher limit would only turn a cheap refusal at admission into
//     a refusal by the pool.
package adaptive
