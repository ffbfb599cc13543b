// Package deploy holds the HAProxy layout of deploy/haproxy.cfg; its test
// runs scripts/rolling-restart.sh against it.
package deploy

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// summary is the script's last line.
var summary = regexp.MustCompile(`rolling-restart: (\d+) restarts, (\d+) batches: jobs sent (\d+), OK (\d+), retried (\d+), failed (\d+), lost (\d+)`)

// TestRollingRestart restarts both instances behind HAProxy under load:
// no job may fail or be lost, and it must be over well within a minute.
// Without haproxy it skips, except under CI, where a missing haproxy is a
// broken set-up.
func TestRollingRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts HAProxy and two servers for about 20 s")
	}
	if _, err := exec.LookPath("haproxy"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("haproxy is not installed; CI installs it (.ci/run)")
		}
		t.Skip("haproxy is not installed (apt-get install haproxy); scripts/rolling-restart.sh installs it when run as root")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	script, err := filepath.Abs(filepath.Join("..", "scripts", "rolling-restart.sh"))
	require.NoError(t, err)
	tmp := t.TempDir()
	cmd := exec.CommandContext(t.Context(), "bash", script)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		t.Fatalf("exit status %d:\n%s", exit.ExitCode(), out)
	}
	require.NoError(t, err, "%s", out)
	assert.Less(t, elapsed, time.Minute, "not bounded in time")

	m := summary.FindSubmatch(out)
	require.NotNil(t, m, "no summary line:\n%s", out)
	n := func(i int) int {
		v, err := strconv.Atoi(string(m[i]))
		require.NoError(t, err)
		return v
	}
	assert.Equal(t, 2, n(1), "restarts")
	assert.Positive(t, n(3), "jobs sent")
	assert.Equal(t, n(3), n(4), "every job sent answered OK")
	assert.Zero(t, n(6), "failed")
	assert.Zero(t, n(7), "lost")
	t.Logf("%s", m[0])
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, left, "temporary files left behind")
}
