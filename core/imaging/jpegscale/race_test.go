//go:build race

package jpegscale_test

// raceEnabled: the race detector slows pixel loops twenty-fold and finds
// nothing in single-goroutine arithmetic, so the large files skip it.
const raceEnabled = true
