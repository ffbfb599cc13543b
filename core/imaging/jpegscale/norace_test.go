//go:build !race

package jpegscale_test

const raceEnabled = false
