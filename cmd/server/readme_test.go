package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the README's strategies table from the registry")

const (
	readmePath = "../../README.md"
	tableBegin = "<!-- strategies:begin -->\n"
	tableEnd   = "<!-- strategies:end -->"
)

// TestREADMEListsStrategies keeps the README's strategies table equal to
// what -list prints from the registry; run with -update to rewrite it.
func TestREADMEListsStrategies(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	require.NoError(t, err)
	s := string(readme)
	i, j := strings.Index(s, tableBegin), strings.Index(s, tableEnd)
	require.True(t, i >= 0 && j > i, "README lacks the strategies markers")
	var table bytes.Buffer
	table.WriteString("```\n")
	printStrategies(&table)
	table.WriteString("```\n")
	want := s[:i+len(tableBegin)] + table.String() + s[j:]
	if *update {
		require.NoError(t, os.WriteFile(readmePath, []byte(want), 0o644))
		return
	}
	require.Equal(t, want, s, "README strategies table is stale: go test ./cmd/server -run README -update")
}
