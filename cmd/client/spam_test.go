package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSpamScript runs scripts/spam.sh with a few clients, from a folder
// outside the repository, as a user would.
func TestSpamScript(t *testing.T) {
	if testing.Short() {
		t.Skip("builds both commands and starts a server")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "spam.sh"))
	require.NoError(t, err)
	tests := []struct {
		name     string
		give     []string
		wantCode int
		wantOut  string
	}{
		{"clients succeed", []string{"--", "-op", "grayscale", "-repeat", "2", "-retries", "0"}, 0, "spam: clients ok 3/3 (3 summaries), jobs 36, OK 36, BUSY 0, errors 0, missing 0, unsent 0, retries 0\n"},
		{"a bad client flag fails them all", []string{"--", "-op", "rotate"}, 1, "spam: clients ok 0/3 (0 summaries)"},
		{"stray argument", []string{"extra"}, 2, "spam: unknown argument extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			cmd := exec.CommandContext(t.Context(), "bash", append([]string{script}, tt.give...)...)
			cmd.Dir = t.TempDir()
			cmd.Env = append(os.Environ(), "N=3", "ADDR=", "TMPDIR="+tmp)
			out, err := cmd.CombinedOutput()
			assert.Equal(t, tt.wantCode, exitCodeOf(t, err), "%s", out)
			assert.Contains(t, string(out), tt.wantOut)
			left, err := os.ReadDir(tmp)
			require.NoError(t, err)
			assert.Empty(t, left, "temporary files left behind")
		})
	}
}

// exitCodeOf returns the exit status of a command that ran, failing the test
// when it could not run.
func exitCodeOf(t *testing.T, err error) int {
	t.Helper()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	require.NoError(t, err)
	return 0
}
