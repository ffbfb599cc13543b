// Package strategies names every concurrency strategy tcpimg can run: the
// worker pools behind [core.Pool], the connection limiters behind
// [core.Limiter] and the admission limits behind [core.Admitter]. The server never knows which one it runs; a command line
// picks one by name from this registry, and the conformance suite in
// strategytest runs every entry listed here, so adding a strategy to the
// lists below is all it takes to have it served, tested and benchmarked.
//
// The lists are explicit rather than filled from init functions so that
// what is registered can be read in one place, in one order.
package strategies
