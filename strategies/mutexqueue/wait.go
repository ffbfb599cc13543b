package mutexqueue

import (
	"context"

	"github.com/tcpimg/tcpimg/core"
)

// PushWait adds t, waiting for room while ctx allows (see
// [core.BlockingQueue]). Waiting pushers queue in arrival order, each on a
// wake channel of its own that is recycled, so waiting allocates nothing
// once the queue has warmed up; a cancelled pusher that had already been
// woken passes the wake-up on, so no room goes unclaimed.
func (q *Queue) PushWait(ctx context.Context, t core.Task) error {
	now := q.now()
	q.mu.Lock()
	for {
		if q.closed {
			q.mu.Unlock()
			return core.ErrClosed
		}
		if q.room() {
			q.put(t, now)
			q.mu.Unlock()
			return nil
		}
		if err := ctx.Err(); err != nil {
			q.mu.Unlock()
			return err
		}
		wake := q.waitForRoom()
		q.mu.Unlock()
		select {
		case <-wake:
			now = q.now() // the task joins the queue now, not when it began to wait
			q.mu.Lock()
			q.spare = append(q.spare, wake)
		case <-ctx.Done():
			q.mu.Lock()
			if !q.forget(wake) {
				<-wake // woken at the same moment: hand the room to the next pusher
				q.wakePusher()
			}
			q.spare = append(q.spare, wake)
			q.mu.Unlock()
			return ctx.Err()
		}
	}
}

// waitForRoom registers the caller as a waiting pusher and returns the
// channel it will be woken on. q.mu must be held.
func (q *Queue) waitForRoom() chan struct{} {
	var wake chan struct{}
	if n := len(q.spare); n > 0 {
		wake = q.spare[n-1]
		q.spare = q.spare[:n-1]
	} else {
		wake = make(chan struct{}, 1)
	}
	q.pushers = append(q.pushers, wake)
	return wake
}

// forget removes wake from the waiting pushers, reporting whether it was
// still there (that is, not yet woken). q.mu must be held.
func (q *Queue) forget(wake chan struct{}) bool {
	for i, w := range q.pushers {
		if w == wake {
			q.pushers = append(q.pushers[:i], q.pushers[i+1:]...)
			return true
		}
	}
	return false
}

// wakePusher wakes the longest-waiting pusher if there is room for it.
// q.mu must be held.
func (q *Queue) wakePusher() {
	if len(q.pushers) == 0 || !q.room() {
		return
	}
	wake := q.pushers[0]
	n := copy(q.pushers, q.pushers[1:])
	q.pushers[n] = nil
	q.pushers = q.pushers[:n]
	wake <- struct{}{}
}
