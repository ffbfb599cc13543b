package core_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/tcpimg/tcpimg/core"
)

// A worker pool sheds load with TrySubmit and applies backpressure with
// Submit; Shutdown runs everything accepted before it returns.
func ExampleNewWorkerPool() {
	p := core.NewWorkerPool(2, core.NewChanQueue(8))
	var done atomic.Int64
	task := core.TaskFunc(func() { done.Add(1) })

	for range 10 {
		if err := p.Submit(context.Background(), task); err != nil {
			fmt.Println(err)
		}
	}
	if err := p.Shutdown(context.Background()); err != nil {
		fmt.Println(err)
	}
	err := p.TrySubmit(task)
	fmt.Println(done.Load(), errors.Is(err, core.ErrClosed), core.StatusOf(err))
	// Output: 10 true SHUTTING_DOWN
}
