// Package plot draws a matrix run's records (see harness.WriteRecord) as
// the pictures the results folder shows, each as SVG and PNG:
//
//   - throughput: goodput against offered load per strategy, from the
//     open-loop scenarios at fixed fractions of the capacity. A strategy
//     that keeps up follows the diagonal; where its line bends away from
//     it, the strategy is saturated, and a line that falls past that point
//     is collapsing under load rather than shedding it.
//   - latency-SCENARIO: the latency percentile spectrum of each open-loop
//     scenario in HdrHistogram's style, percentiles from p50 to p99.99 on a
//     log axis of 1/(1-q), so that each tail decade gets the same width.
//     Lower is better; a line that rises late has a heavy tail.
//   - burst-goroutines and burst-heap: the process's goroutines and heap
//     over the burst scenario's run, to show how far each strategy lets them
//     grow under a spike and whether they come back down.
//
// Every strategy keeps its colour in every picture.
package plot
