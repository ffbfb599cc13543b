package strategies_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
)

// BenchmarkAdmit measures what an admission limit adds to every job: one
// Acquire and one Release with a sample, from every core at once. The
// limit never falls below its workers, one per core as RunParallel's
// goroutines, so nothing is refused. The cost to beat is a pool hop (about 100 ns through
// chan-pool): an admitter that costs more than the pool it guards is not
// worth its place.
func BenchmarkAdmit(b *testing.B) {
	cfg := strategies.PoolConfig{Workers: runtime.GOMAXPROCS(0), QueueSize: 256}
	sample := core.Sample{Outcome: core.OutcomeDone, Wait: time.Millisecond, Service: time.Millisecond}
	for _, e := range strategies.Admitters() {
		if !e.Adaptive {
			continue
		}
		b.Run("admit="+e.Name, func(b *testing.B) {
			a := e.New(cfg)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					t, ok := a.Acquire()
					if !ok {
						b.Error("refused below the limit")
						return
					}
					a.Release(t, sample)
				}
			})
		})
	}
}
