package strategies

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

type entry struct{ name string }

func entryName(e entry) string { return e.name }

func TestSortedByName(t *testing.T) {
	tests := []struct {
		name string
		give []entry
		want []entry
	}{
		{"sorts", []entry{{"b"}, {"c"}, {"a"}}, []entry{{"a"}, {"b"}, {"c"}}},
		{"one", []entry{{"a"}}, []entry{{"a"}}},
		{"none", []entry{}, []entry{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, sortedByName("pool", tt.give, entryName))
		})
	}
}

// TestSortedByNamePanics: a registry mistake must stop the program the
// first time the package loads, not shadow a strategy.
func TestSortedByNamePanics(t *testing.T) {
	tests := []struct {
		name string
		give []entry
		want string
	}{
		{"duplicate", []entry{{"b"}, {"a"}, {"b"}}, `strategies: duplicate pool name "b"`},
		{"empty name", []entry{{"a"}, {""}}, "strategies: pool entry 0 has no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, func() { sortedByName("pool", tt.give, entryName) })
		})
	}
}

func TestPoolConfigDefaults(t *testing.T) {
	tests := []struct {
		name string
		give PoolConfig
		want PoolConfig
	}{
		{
			"zero",
			PoolConfig{},
			PoolConfig{Workers: runtime.GOMAXPROCS(0), QueueSize: 0, CodelTarget: 5 * time.Millisecond, CodelInterval: 100 * time.Millisecond},
		},
		{
			"explicit",
			PoolConfig{Workers: 3, QueueSize: 7, CodelTarget: time.Millisecond, CodelInterval: time.Second},
			PoolConfig{Workers: 3, QueueSize: 7, CodelTarget: time.Millisecond, CodelInterval: time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.give.withDefaults())
		})
	}
}
