package core

import "context"

// Task is one unit of work a Pool runs. It is an interface rather than a
// func so that a server can submit pooled job values without allocating a
// closure per request; [TaskFunc] adapts a plain function.
type Task interface {
	Run()
}

// TaskFunc adapts a function to a Task. It has no reject path (it is not a
// [Rejecter]), so a pool always runs it once it is accepted.
type TaskFunc func()

// Run calls f.
func (f TaskFunc) Run() { f() }

// Rejecter is the optional ability of a Task to be answered without
// running. A pool that manages its queue (CoDel, for one) may find, when a
// worker comes to take a task it accepted earlier, that running it would
// only add to an overload: it then calls Reject instead of Run, with the
// reason (core.ErrBusy for a shed task). A pool may refuse only tasks that
// have this ability, so a task without it keeps the promise that an
// accepted task runs; a task with it is still answered exactly once, by
// either Run or Reject.
type Rejecter interface {
	Reject(err error)
}

// Pool runs tasks with bounded (or, for a baseline, unbounded) concurrency.
//
// Every accepted task runs exactly once, unless it is a [Rejecter] and the
// pool refuses it after accepting it: then Reject is called exactly once
// instead of Run. A task that panics must not take the pool down:
// implementations recover the panic, count it (see [PoolStats]) and go on
// serving.
type Pool interface {
	// TrySubmit hands t to the pool without waiting. It returns ErrBusy when
	// the pool is full and ErrClosed after Shutdown began; in both cases t
	// will not run. This is load shedding.
	TrySubmit(t Task) error
	// Submit hands t to the pool, waiting for room while ctx allows. It
	// returns ctx.Err() if ctx ends first (t is then not queued) and
	// ErrClosed after Shutdown began. This is backpressure.
	Submit(ctx context.Context, t Task) error
	// Shutdown refuses new tasks, then waits until every accepted task has
	// run (or been rejected) and the pool's goroutines have exited, or until ctx ends
	// (returning ctx.Err(); the tasks still finish later). It may be called
	// more than once; every call waits.
	Shutdown(ctx context.Context) error
}

// PoolStats is a snapshot of a pool's counters.
type PoolStats struct {
	Workers   int    // goroutines that run tasks (0 for a goroutine per task)
	Queued    int    // tasks accepted but not started
	Completed uint64 // tasks that returned or panicked
	Rejected  uint64 // accepted tasks refused by Reject instead of run
	Panics    uint64 // tasks (or Reject calls) that panicked (recovered)

	// Overload is the state of a queue that manages itself under
	// overload (see [OverloadQueue]); nil for any other.
	Overload *OverloadStats
}

// OverloadStats is what a queue that manages itself under overload (the
// codel strategies) knows of the overload now.
type OverloadStats struct {
	// Overloaded reports that the queue sheds the tasks that waited past
	// twice its target, and serves the newest first where its order
	// adapts.
	Overloaded bool
	// Demand is the offered load over the last second or so: the tasks
	// offered times their mean service time, over the workers' time; about
	// 2 at twice the capacity. 0 for a queue that does not measure it.
	Demand float64
}

// OverloadQueue is the optional ability of a Queue to report its overload
// state; [WorkerPool.Stats] reads it. ok is false when the queue does not
// manage itself under overload after all (its discipline does not).
type OverloadQueue interface {
	Queue
	Overload() (s OverloadStats, ok bool)
}

// StatsPool is the optional ability of a Pool to report its counters; find
// it with a type assertion.
type StatsPool interface {
	Stats() PoolStats
}

// Limiter is a counting semaphore; the server holds one slot per connection
// it serves.
type Limiter interface {
	// Acquire takes a slot, waiting while ctx allows; it returns ctx.Err()
	// if ctx ends first, and then holds nothing.
	Acquire(ctx context.Context) error
	// TryAcquire takes a slot if one is free at once.
	TryAcquire() bool
	// Release returns a slot. Releasing more than was acquired is a bug in
	// the caller and panics.
	Release()
}

// Queue holds tasks between submission and a worker; [NewWorkerPool] runs a
// fixed set of workers over any Queue. Close is part of the contract because
// Pop must be able to tell a worker that no task will ever come.
type Queue interface {
	// Push adds t without waiting: ErrBusy when full, ErrClosed after Close.
	Push(t Task) error
	// Pop waits for a task. After Close it still returns the tasks already
	// pushed, then ok == false once the queue is empty.
	Pop() (t Task, ok bool)
	// Len returns the number of tasks waiting.
	Len() int
	// Close refuses further pushes and wakes every waiting Pop. It is
	// idempotent.
	Close()
}

// BlockingQueue is the optional ability of a Queue to wait for room itself;
// [WorkerPool.Submit] uses it when the queue has it. Only the queue sees
// every moment room appears: a task leaving it, but also, in a queue that
// hands tasks straight to waiting workers, a worker starting to wait. A
// hand-off queue must therefore have this ability, or a blocked Submit could
// miss its wake-up.
type BlockingQueue interface {
	Queue
	// PushWait adds t, waiting for room while ctx allows. It returns
	// ctx.Err() if ctx ends first (t is then not queued) and ErrClosed after
	// Close, including when Close happens while it waits.
	PushWait(ctx context.Context, t Task) error
}

// ShedQueue is the optional ability of a Queue to refuse, when a worker
// comes to take it, a task it accepted earlier: the queue is the one place
// that knows how long a task waited and what waits behind it, so it is the
// one to judge. [WorkerPool] takes tasks with PopShed when its queue has it.
type ShedQueue interface {
	Queue
	// PopShed waits for a task like Pop. When shed is not nil the worker
	// must not run t but call its Reject(shed); a queue sheds only tasks
	// that implement [Rejecter]. Pop on the same queue never sheds.
	PopShed() (t Task, ok bool, shed error)
}
