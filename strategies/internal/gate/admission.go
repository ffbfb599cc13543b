package gate

import (
	"context"

	"github.com/tcpimg/tcpimg/core"
)

// Admission bounds how many tasks a pool holds at once and refuses new ones
// after Close. Pools wrapping a library need it because the library's own
// wait cannot be cancelled by the caller's ctx, or cannot say ErrBusy at the
// moment a slot frees: a task takes a slot here first, so the library only
// ever sees tasks it has room for. Use [NewAdmission]; the zero value is not
// ready.
type Admission struct {
	slots chan struct{} // one token per task admitted and not yet exited
	gate  Gate
}

// NewAdmission returns an open admission of n slots (at least one).
func NewAdmission(n int) *Admission {
	return &Admission{
		slots: make(chan struct{}, max(n, 1)),
		gate:  Gate{closed: make(chan struct{}), drained: make(chan struct{})},
	}
}

// TryEnter admits one task without waiting: [core.ErrClosed] once closed,
// [core.ErrBusy] when every slot is held. A nil error must be matched by
// one [Admission.Exit].
func (a *Admission) TryEnter() error {
	if !a.gate.Enter() {
		return core.ErrClosed
	}
	select {
	case a.slots <- struct{}{}:
		return nil
	default:
		a.gate.Leave()
		return core.ErrBusy
	}
}

// Enter admits one task, waiting for a slot while ctx allows: ctx.Err()
// once ctx is done (checked first, so a dead ctx never takes a slot),
// [core.ErrClosed] once closed, including while waiting. A nil error must
// be matched by one [Admission.Exit].
func (a *Admission) Enter(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !a.gate.Enter() {
		return core.ErrClosed
	}
	select { // the fast path skips the three-way select's cost
	case a.slots <- struct{}{}:
		return nil
	default:
	}
	select {
	case a.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		a.gate.Leave()
		return ctx.Err()
	case <-a.gate.Closed():
		a.gate.Leave()
		return core.ErrClosed
	}
}

// Exit releases the slot of one admitted task, when it returns or when the
// library refused it after all.
func (a *Admission) Exit() {
	<-a.slots
	a.gate.Leave()
}

// Close refuses further tasks and wakes callers waiting in
// [Admission.Enter]; tasks already admitted keep their slots. It is
// idempotent.
func (a *Admission) Close() { a.gate.Close() }

// Drained is closed once [Admission.Close] has been called and every
// admitted task has exited, the moment a pool may stop its library.
func (a *Admission) Drained() <-chan struct{} { return a.gate.Drained() }
