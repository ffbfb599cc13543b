// Package strategytest is the conformance suite every concurrency strategy
// must pass: one table of behaviours for pools ([TestPool]), one for
// limiters ([TestLimiter]) and one for admitters ([TestAdmitter]), run against each registered strategy by the
// strategies package's own tests, so a new strategy is tested the moment it
// is listed.
//
// The suite synchronises on channels, never on sleeps: tasks that must keep
// a worker busy block on a channel the test releases, and every wait is
// bounded so that a broken strategy fails instead of hanging. Each subtest
// checks with goleak that nothing it started outlives it.
package strategytest
