package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReportBadInput(t *testing.T) {
	empty := t.TempDir()
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	noResults := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(noResults, "raw.txt"), []byte("goos: linux\nPASS\n"), 0o644))
	tests := []struct {
		name     string
		give     []string
		wantCode int
		wantErr  string
	}{
		{"without -in", []string{"report"}, 2, "report: -in is required"},
		{"stray argument", []string{"report", "-in", empty, "x"}, 2, `report: unexpected argument "x"`},
		{"missing folder", []string{"report", "-in", filepath.Join(empty, "nope")}, 2, "no such folder"},
		{"a file", []string{"report", "-in", file}, 2, "is not a folder"},
		{"no raw.txt", []string{"report", "-in", empty}, 2, "not a results folder: no raw.txt"},
		{"no results in raw.txt", []string{"report", "-in", noResults}, 1, "no BenchmarkScenario, BenchmarkOverload or BenchmarkModel results"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tt.wantCode, mainCode(tt.give, &stdout, &stderr))
			assert.Empty(t, stdout.String())
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
			assert.True(t, strings.HasPrefix(stderr.String(), "loadgen: "), stderr.String())
			assert.Contains(t, stderr.String(), tt.wantErr)
		})
	}
}

func TestReport(t *testing.T) {
	dir := t.TempDir()
	raw := "commit: abc\n" +
		"BenchmarkScenario/scenario=open-50/strategy=chan-pool-2 1 5 ns/op 100 goodput/s\n" +
		"BenchmarkScenario/scenario=open-50/strategy=ants-2 1 5 ns/op 90 goodput/s\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "raw.txt"), []byte(raw), 0o644))
	other := filepath.Join(t.TempDir(), "page.html")
	tests := []struct {
		name string
		give []string
		want string
	}{
		{"into the folder", []string{"report", "-in", dir}, filepath.Join(dir, "index.html")},
		{"with -out", []string{"report", "-in", dir, "-out", other}, other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			require.Equal(t, 0, mainCode(tt.give, &stdout, &stderr), stderr.String())
			assert.Equal(t, tt.want+"\n", stdout.String())
			page, err := os.ReadFile(tt.want)
			require.NoError(t, err)
			assert.Contains(t, string(page), `data-strategy="ants"`)
		})
	}
}
