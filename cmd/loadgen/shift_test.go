package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shiftFolder writes a results folder of ten repetitions: codel's p99 a
// fifth above chan-pool's, pond's the same, in two scenarios.
func shiftFolder(t *testing.T) string {
	dir := t.TempDir()
	var raw strings.Builder
	raw.WriteString("commit: abc\n")
	for rep := range 10 {
		for _, sc := range []string{"open-50", "open-90"} {
			p99 := 100 + float64(rep)
			for _, st := range []struct {
				name   string
				factor float64
			}{{"chan-pool", 1}, {"codel", 1.2}, {"pond", 1}} {
				fmt.Fprintf(&raw, "BenchmarkScenario/scenario=%s/strategy=%s-2 1 5 ns/op %g p99-ns 0 busy/op\n", sc, st.name, st.factor*p99*1e6)
			}
		}
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "raw.txt"), []byte(raw.String()), 0o644))
	return dir
}

func TestShift(t *testing.T) {
	dir := shiftFolder(t)
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, mainCode([]string{"shift", "-in", dir, "-scenario", "open-90", "-within", "0.1"}, &stdout, &stderr), stderr.String())
	out := stdout.String()
	assert.Contains(t, out, "p99-ns against chan-pool")
	assert.NotContains(t, out, "open-50", "-scenario picks the rows")
	assert.Regexp(t, regexp.MustCompile(`open-90\s+codel\s+10/10\s+1\.200\s+\[1\.1\d\d, 1\.2\d\d\]\s+9\d\.\d%\s+no`), out)
	assert.Regexp(t, regexp.MustCompile(`open-90\s+pond\s+10/10\s+1\.000\s+\[0\.9\d\d, 1\.0\d\d\]\s+9\d\.\d%\s+yes`), out)
	assert.NotContains(t, out, "\nopen-90  chan-pool", "the baseline is not compared with itself")
}

// TestShiftPaired: paired by repetition, the folder's drift from one
// repetition to the next cancels, and the ratios are exact.
func TestShiftPaired(t *testing.T) {
	dir := shiftFolder(t)
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, mainCode([]string{"shift", "-in", dir, "-paired", "-within", "0.1"}, &stdout, &stderr), stderr.String())
	out := stdout.String()
	assert.Contains(t, out, "paired by repetition")
	assert.Contains(t, out, "Wilcoxon signed-rank")
	for _, sc := range []string{"open-50", "open-90"} {
		assert.Regexp(t, regexp.MustCompile(sc+`\s+codel\s+10/10\s+1\.200\s+\[1\.200, 1\.200\]\s+9\d\.\d%\s+no`), out)
		assert.Regexp(t, regexp.MustCompile(sc+`\s+pond\s+10/10\s+1\.000\s+\[1\.000, 1\.000\]\s+9\d\.\d%\s+yes`), out)
	}
}

func TestShiftBadInput(t *testing.T) {
	dir := shiftFolder(t)
	tests := []struct {
		name     string
		give     []string
		wantCode int
		wantErr  string
	}{
		{"without -in", []string{"shift"}, 2, "shift: -in is required"},
		{"within out of range", []string{"shift", "-in", dir, "-within", "2"}, 2, "-within 2 is outside 0..1"},
		{"empty unit", []string{"shift", "-in", dir, "-unit", ""}, 2, "-unit is empty"},
		{"no raw.txt", []string{"shift", "-in", t.TempDir()}, 1, "no such file"},
		{"unit not measured", []string{"shift", "-in", dir, "-unit", "recovery-s"}, 1, "reports recovery-s"},
		{"unknown baseline", []string{"shift", "-in", dir, "-baseline", "ants"}, 1, "no strategy ants"},
		{"unknown scenario", []string{"shift", "-in", dir, "-scenario", "open-70"}, 1, "no scenario open-70"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tt.wantCode, mainCode(tt.give, &stdout, &stderr))
			assert.Empty(t, stdout.String())
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
			assert.Contains(t, stderr.String(), tt.wantErr)
		})
	}
}
