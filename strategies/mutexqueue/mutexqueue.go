// Package mutexqueue is the mutex-queue strategy: fixed workers taking tasks
// from a ring buffer guarded by a sync.Mutex, with idle workers parked on a
// sync.Cond. It is the textbook alternative to a buffered channel, kept so
// that the two can be compared under the same load. Its queue also takes a
// [Discipline], the seam through which the codel strategies order the ring
// and shed from it.
package mutexqueue

import "github.com/tcpimg/tcpimg/core"

// New starts workers goroutines (at least one) taking tasks from a [Queue]
// of the given capacity. A capacity of 0 hands each task straight to a
// waiting worker.
func New(workers, capacity int) *core.WorkerPool {
	return core.NewWorkerPool(workers, NewQueue(capacity))
}

var (
	_ core.Queue         = (*Queue)(nil)
	_ core.BlockingQueue = (*Queue)(nil)
	_ core.ShedQueue     = (*Queue)(nil)
	_ core.OverloadQueue = (*Queue)(nil)
)
