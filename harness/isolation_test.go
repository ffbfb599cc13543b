package harness_test

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/harness"
	"github.com/tcpimg/tcpimg/harness/isolate"
	"github.com/tcpimg/tcpimg/strategies"
)

// TestIsolatedRun builds the server command, runs scenarios against it as
// a pinned process of its own, and checks that the run reads the server's
// own account: its counters, peaks and leaks from the admin listener, and
// both processes' CPU time.
func TestIsolatedRun(t *testing.T) {
	serverCPUs, loadCPUs, err := isolate.Split()
	if err != nil {
		t.Skipf("no isolation on this machine: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "server")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/server").CombinedOutput()
	require.NoError(t, err, "%s", out)

	r := &harness.Runner{
		Server:  harness.MatrixServer(),
		Short:   true,
		Isolate: &harness.Isolation{Server: bin, ServerCPUs: serverCPUs, LoadCPUs: loadCPUs},
	}
	r.SetCapacity(strategies.DefaultPool, 200)
	// ants starts goroutines of its own on its first task: they must not
	// count as leaked.
	for _, cell := range []struct{ scenario, strategy string }{
		{"saturate", "mutex-queue"}, {"open-50", "mutex-queue"}, {"saturate", "ants"},
	} {
		t.Run(cell.scenario+"/"+cell.strategy, func(t *testing.T) {
			name, strategy := cell.scenario, cell.strategy
			s, err := harness.Lookup(name)
			require.NoError(t, err)
			m, err := r.Run(t.Context(), s, strategy)
			require.NoError(t, err)

			assert.Zero(t, m.Lost)
			assert.Zero(t, m.Unexpected)
			assert.Positive(t, m.Goodput())
			require.NotNil(t, m.Isolated)
			assert.False(t, m.InProcess)
			assert.Equal(t, serverCPUs.String(), m.Isolated.ServerCPUs)
			assert.Equal(t, len(serverCPUs), m.ServerConfig.Workers, "the server's workers follow its own CPUs")
			assert.Positive(t, m.Server.Completed, "the server's own counters")
			assert.Equal(t, m.Server.Accepted, m.Server.Completed+m.Server.Failed+m.Server.TimedOut+m.Server.Shed+m.Server.Dropped)
			assert.Positive(t, m.PeakGoroutines)
			assert.Positive(t, m.PeakHeap)
			assert.Zero(t, m.Leaked)
			assert.Positive(t, m.Isolated.LoadCPU, "this process's CPU time")

			units := map[string]bool{}
			for _, f := range m.Figures() {
				units[f.Unit] = true
			}
			assert.True(t, units["server-cpu-ns/ok"] && units["peak-heap-B"] && units["leaked-goroutines"], "%v", units)
		})
	}
}

func TestIsolationValidate(t *testing.T) {
	tests := []struct {
		name string
		give harness.Isolation
		ok   bool
	}{
		{"apart", harness.Isolation{Server: "s", ServerCPUs: isolate.CPUSet{0}, LoadCPUs: isolate.CPUSet{1}}, true},
		{"no binary", harness.Isolation{ServerCPUs: isolate.CPUSet{0}, LoadCPUs: isolate.CPUSet{1}}, false},
		{"overlap", harness.Isolation{Server: "s", ServerCPUs: isolate.CPUSet{0, 1}, LoadCPUs: isolate.CPUSet{1}}, false},
		{"no CPUs for the load", harness.Isolation{Server: "s", ServerCPUs: isolate.CPUSet{0}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.give.Validate()
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}
