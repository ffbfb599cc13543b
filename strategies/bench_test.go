package strategies_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
)

// benchConfig sizes every pool in the benchmarks alike: one worker per
// core and a queue deep enough that the submitter rarely waits on a single
// slot. (ants has no queue and ignores QueueSize.)
var benchConfig = strategies.PoolConfig{Workers: runtime.GOMAXPROCS(0), QueueSize: 256}

// benchTask is a pre-built task: submitting it puts a pointer in an
// interface, so the harness allocates nothing per task and whatever
// allocation a benchmark reports is the pool's. It has no reject path, so
// the pools that shed (codel, codel-lifo, demand-lifo) run every task: the closed loop
// below keeps every queue full, which CoDel would rightly shed from, and a
// shed task would be work not done. Their numbers are thus the cost of
// managing the queue (clock reads, the discipline) on work that all runs.
type benchTask struct {
	wg   *sync.WaitGroup
	work func()
}

func (t *benchTask) Run() {
	if t.work != nil {
		t.work()
	}
	t.wg.Done()
}

// spin10us keeps its core busy for 10 µs of wall-clock time: a task long
// enough that a pool's own cost should vanish beside it.
func spin10us() {
	for start := time.Now(); time.Since(start) < 10*time.Microsecond; {
	}
}

// thumbnailWork returns the job of a small THUMBNAIL request, or the error
// core.Process gives for it.
func thumbnailWork() (func(), error) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{R: uint8(4 * x), G: uint8(5 * y), B: uint8(x ^ y), A: 255})
		}
	}
	var src bytes.Buffer
	if err := png.Encode(&src, img); err != nil {
		return nil, err
	}
	payload := src.Bytes()
	h := core.RequestHeader{Version: 1, Op: core.OpThumbnail, Format: core.FormatPNG, Arg1: 16, Arg2: 16, Length: uint32(len(payload))}
	outs := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	run := func() error {
		out := outs.Get().(*bytes.Buffer)
		defer outs.Put(out)
		out.Reset()
		hh := h
		return core.Process(context.Background(), &hh, payload, out)
	}
	if err := run(); err != nil {
		return nil, err
	}
	return func() { _ = run() }, nil
}

// BenchmarkPool measures submit-to-completion cost through core.Pool: one
// goroutine submits b.N tasks with Submit (backpressure, as the server's
// block admission does) and waits for all of them to finish.
func BenchmarkPool(b *testing.B) {
	thumb, thumbErr := thumbnailWork()
	tasks := []struct {
		name string
		work func()
		err  error
	}{
		{"empty", nil, nil},
		{"spin-10us", spin10us, nil},
		{"thumbnail", thumb, thumbErr},
	}
	for _, e := range strategies.Pools() {
		for _, tk := range tasks {
			b.Run("strategy="+e.Name+"/task="+tk.name, func(b *testing.B) {
				if tk.err != nil {
					b.Fatalf("the thumbnail job fails: %v", tk.err)
				}
				benchPool(b, e.New(benchConfig), tk.work)
			})
		}
	}
}

func benchPool(b *testing.B, p core.Pool, work func()) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	task := &benchTask{wg: &wg, work: work}
	wg.Add(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := p.Submit(ctx, task); err != nil {
			b.Fatal(err)
		}
	}
	wg.Wait()
	b.StopTimer()
	if err := p.Shutdown(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkLimiter measures one Acquire and Release from GOMAXPROCS
// goroutines at once on a limiter with as many slots, so no caller waits
// and the cost is the limiter's own bookkeeping under contention.
func BenchmarkLimiter(b *testing.B) {
	for _, e := range strategies.Limiters() {
		b.Run("strategy="+e.Name, func(b *testing.B) {
			l := e.New(runtime.GOMAXPROCS(0))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := l.Acquire(ctx); err != nil {
						b.Error(err)
						return
					}
					l.Release()
				}
			})
		})
	}
}
