package gate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/tcpimg/tcpimg/strategies/internal/gate"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestGate(t *testing.T) {
	g := gate.New()
	assert.True(t, g.Enter())
	assert.True(t, g.Enter())
	assert.Equal(t, 2, g.Active())

	g.Close()
	g.Close() // idempotent
	assert.True(t, closed(g.Closed()))
	assert.False(t, g.Enter(), "Enter after Close")
	assert.Equal(t, 2, g.Active())
	assert.False(t, closed(g.Drained()), "drained with tasks active")

	g.Leave()
	assert.False(t, closed(g.Drained()))
	g.Leave()
	assert.True(t, closed(g.Drained()), "drained once the last task left")
	assert.Zero(t, g.Active())
}

func TestGateCloseIdle(t *testing.T) {
	g := gate.New()
	assert.True(t, g.Enter())
	g.Leave()
	assert.False(t, closed(g.Drained()), "an open gate is never drained")
	g.Close()
	assert.True(t, closed(g.Drained()))
}
