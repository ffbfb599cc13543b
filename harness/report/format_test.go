package report

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFormatValue(t *testing.T) {
	tests := []struct {
		name string
		v    float64
		unit string
		want string
	}{
		{"latency in ms", 198967295, "p99-ns", "199.0 ms"},
		{"latency in µs", 41350, "p99-ns", "41.35 µs"},
		{"latency in s", 1.793e9, "p99-ns", "1.793 s"},
		{"zero latency", 0, "p50-ns", "0 s"},
		{"heap in MiB", 52416272, "peak-heap-B", "49.99 MiB"},
		{"heap in KiB", 2048, "peak-heap-B", "2.000 KiB"},
		{"share per request in percent", 0.7914, "busy/op", "79.1%"},
		{"no share", 0, "busy/op", "0%"},
		{"rate under a thousand", 370.6, "goodput/s", "370.6"},
		{"whole count", 258, "peak-goroutines", "258"},
		{"rate over a thousand", 10462, "goodput/s", "10.46 k"},
		{"unknown unit, small", 0.8125, "utilisation", "0.8125"},
		{"infinite bound", math.Inf(1), "p99-ns", "∞"},
		{"negative infinite bound", math.Inf(-1), "goodput/s", "−∞"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, FormatValue(tt.v, tt.unit))
		})
	}
}

func TestFormatDelta(t *testing.T) {
	tests := []struct {
		give float64
		want string
	}{
		{-54.914, "-54.9%"},
		{122.61, "+122.6%"},
		{0, "+0.0%"},
		{math.NaN(), "from 0"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, FormatDelta(tt.give))
		})
	}
}
