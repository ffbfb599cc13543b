package isolate_test

import (
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/harness/isolate"
)

func TestParseCPUSet(t *testing.T) {
	tests := []struct {
		give    string
		want    isolate.CPUSet
		wantStr string
		wantErr bool
	}{
		{give: "0", want: isolate.CPUSet{0}, wantStr: "0"},
		{give: "0-3", want: isolate.CPUSet{0, 1, 2, 3}, wantStr: "0-3"},
		{give: "3,0-1,1", want: isolate.CPUSet{0, 1, 3}, wantStr: "0-1,3"},
		{give: "", want: nil, wantStr: ""},
		{give: "x", wantErr: true},
		{give: "3-1", wantErr: true},
		{give: "-1", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, err := isolate.ParseCPUSet(tt.give)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantStr, got.String())
		})
	}
}

// TestStartPinsTheChild starts a child on one CPU and reads its allowed
// CPUs as the kernel reports them, and checks that the caller's own
// affinity is back as it was.
func TestStartPinsTheChild(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("CPU affinity is Linux-only")
	}
	before, err := isolate.Allowed()
	require.NoError(t, err)
	last := isolate.CPUSet{before[len(before)-1]}

	cmd := exec.Command("cat", "/proc/self/status")
	var out strings.Builder
	cmd.Stdout = &out
	require.NoError(t, isolate.Start(cmd, last))
	require.NoError(t, cmd.Wait())
	m := regexp.MustCompile(`(?m)^Cpus_allowed_list:\s*(\S+)$`).FindStringSubmatch(out.String())
	require.NotNil(t, m, out.String())
	assert.Equal(t, last.String(), m[1])

	after, err := isolate.Allowed()
	require.NoError(t, err)
	assert.Equal(t, before, after)
}

func TestCPUTimeGrowsWithWork(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux-only")
	}
	start, err := isolate.CPUTime(os.Getpid())
	require.NoError(t, err)
	self := isolate.SelfCPUTime()
	x := 0
	for i := range 200_000_000 {
		x += i ^ (x >> 3)
	}
	_ = x
	end, err := isolate.CPUTime(os.Getpid())
	require.NoError(t, err)
	assert.Greater(t, end, start, "a busy loop must show in /proc's CPU time")
	assert.Greater(t, isolate.SelfCPUTime(), self)
	_, err = isolate.CPUTime(-1)
	assert.Error(t, err)
}
