// Package harness runs the same load scenarios over real TCP against every
// concurrency strategy and measures, per run, what a client sees and what
// the server costs, so that benchstat can say which strategy wins where.
//
// # Vocabulary
//
// Each word names one thing, here and in the README:
//
//   - A [Scenario] is one named load, as data. The catalog is the table of
//     them ([Scenarios], [Lookup]; catalog.go) that the tests, the
//     benchmarks and cmd/loadgen all read.
//   - A scenario's [Loop] is its arrival model: [ClosedLoop] or [OpenLoop].
//   - A [Schedule] says when each of an open loop's requests is due (what
//     vegeta calls a pacer): [Steady] at one rate, or [Piecewise], steady
//     pieces one after another, or [Poisson], random arrivals at their
//     rates (a scenario's [Arrivals]).
//   - A [Phase] is one period of an open loop's measured load, at a
//     multiple of the scenario's rate; a scenario's Shape lists them.
//   - A request's result is [loadclient.Result]: one request's answer and
//     latency. A [loadclient.Tally] adds up the results of a run.
//   - A run's [Metrics] is what one run of a scenario measured, the
//     aggregate vegeta also calls metrics; its [Figure]s are the numbers a
//     benchmark reports.
//   - The matrix is every scenario against every strategy ([Matrix], a
//     [Cell] per run); BenchmarkScenario in bench_test.go runs it, and
//     scripts/run-matrix.sh runs that benchmark once per repetition.
//   - A record is one run's Metrics as JSON ([WriteRecord]).
//   - An interleaved pair ([Interleave]) is one scenario run against two
//     targets in alternating blocks, so that the machine's drift falls on
//     both; cmd/loadgen -against and scripts/bench-ab.sh BLOCKS=N use it.
//   - The model family ([ModelScenarios]; catalog_model.go) checks the
//     harness against queueing theory: each of its runs gets a [ModelFit],
//     and [PoolModel] pools them over repetitions. BenchmarkModel runs it,
//     apart from the matrix, and scripts/run-model.sh once per repetition.
//   - The overload family ([OverloadScenarios]; catalog_overload.go) has
//     clients that give up after a timeout ([Scenario.Timeout], with or
//     without [Scenario.SendDeadline]) and clients that retry
//     ([RetryPolicy], on package retry). BenchmarkOverload runs it against
//     [OverloadStrategies], apart from the matrix, and
//     scripts/run-overload.sh once per repetition.
//
// # Scenarios are data
//
// A [Scenario] is a plain struct: its loop, clients, connections, requests
// in flight, rate, length, warm-up, workload and slow readers, and, when
// it needs them, its own server configuration, random arrivals and a
// seed. [Short]
// scales a scenario down for smoke runs and [Scale] lengthens one.
//
// # Two loops
//
// A closed loop keeps a fixed number of requests in flight, so the server
// sets the pace and its queueing delay hides in a lower rate. An open loop
// sends on its [Schedule] whatever the server does, and measures each
// request's latency from when it was due, not from when it could be
// written: a server that stalls shows up as latency and late sends, never
// as a politely lower send rate (coordinated omission). An open loop still
// caps the requests in flight per connection, so that an overloaded server
// cannot make the generator grow without bound; requests that fall due
// while every window is full wait, keep their due time, and count as late,
// and those still waiting when the schedule ends count as unsent, their
// wait recorded as a lower bound of their latency.
//
// # Runs and their metrics
//
// [Generator] drives one scenario against any server through a dial
// function, over the pipelined connections of package loadclient;
// [Runner] starts a fresh in-process server on 127.0.0.1:0 for every run,
// built from the strategy registry by name, shuts it down after, and adds
// what only the process can see: peak goroutines and heap (sampled with
// runtime/metrics), goroutines left after Shutdown, and a time series of
// both. [Metrics] keeps latency in HDR histograms (end to end, and the
// server's queue and service times from the response header), counts by
// status, and checks that every request got exactly one answer: Lost and
// Unexpected must be 0.
//
// [Metrics.Figures] are what a benchmark reports, in units benchstat
// parses: imgs/s (answers per second, any status), goodput/s (OK answers
// per second), offered/s, p50-ns, p99-ns and p999-ns (latency of OK
// answers), busy/op, late/op, lost/op, and for in-process runs
// peak-goroutines, peak-heap-B and leaked-goroutines.
//
// # Clients that give up, and clients that retry
//
// With a timeout, a client stops waiting for a request once the timeout
// has passed since it wrote it: its window slot is free again at once,
// and the answer that comes later is still read, as late, never as lost
// or unexpected. Its service time counts as wasted-work. The answers that
// count as goodput-in-time/s are the OK ones that came within the timeout
// of their request's first due time, counted by arrival in the window, so
// that a retry's latency includes every attempt and the waits between
// them. A retry is a new request with a new job id. After a spike,
// [Recovery] says how long the goodput in time took to come back; it is
// counted in the window's bins ([Scenario.BinWidth]) and averaged over a
// sliding window ([Scenario.RecoveryWindow]).
//
// # Capacity
//
// The open-loop scenarios run at a fraction of a capacity: the goodput of
// the "saturate" scenario against the same target. [Runner] takes it from
// the default strategy, in the same process, so that every strategy meets
// the same offered load; see [Runner] for when it is measured.
//
// # Records
//
// Each run can be written as a JSON record ([WriteRecord]) with its
// histograms in HdrHistogram's compressed encoding; records from several
// load generators combine with [Merge], and package plot draws them.
package harness
