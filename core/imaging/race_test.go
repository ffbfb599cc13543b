//go:build race

package imaging_test

// raceEnabled: the race detector slows pixel loops twenty-fold and finds
// nothing in single-goroutine arithmetic, so exhaustive sweeps skip it.
const raceEnabled = true
