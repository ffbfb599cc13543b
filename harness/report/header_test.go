package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name string
		give string
		want []Field
	}{
		{
			name: "run-matrix header, go test's lines, benchmark lines skipped",
			give: "machine: Linux x86_64, 2 CPUs\ngo-version: go1.26.8\ncpu: Some CPU   \n" +
				"BenchmarkScenario/scenario=a/strategy=b-2  1  5 ns/op\nPASS\nok  \tpkg\t1.0s\n",
			want: []Field{{"machine", []string{"Linux x86_64, 2 CPUs"}}, {"go-version", []string{"go1.26.8"}}, {"cpu", []string{"Some CPU"}}},
		},
		{
			name: "a key repeated with the same value is shown once, with new values in order",
			give: "goos: linux\ncapacity: median 590/s, spread 3%\ngoos: linux\ncapacity: median 610/s, spread 2%\n",
			want: []Field{{"goos", []string{"linux"}}, {"capacity", []string{"median 590/s, spread 3%", "median 610/s, spread 2%"}}},
		},
		{
			name: "not configuration: upper case, space in key, no space after colon, no colon",
			give: "Machine: x\nmy key: x\nkey:x\nrep 0: load average 1.5\nplain text\n: x\n",
			want: nil,
		},
		{
			name: "an empty value is kept",
			give: "note:\n",
			want: []Field{{"note", []string{""}}},
		},
		{
			name: "a value may hold colons",
			give: "date: 2026-11-26T02:50:50Z\n",
			want: []Field{{"date", []string{"2026-11-26T02:50:50Z"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHeader(strings.NewReader(tt.give))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSplitHeader(t *testing.T) {
	header := []Field{{"server", []string{"workers=2"}}, {"commit", []string{"abc"}}, {"goos", []string{"linux"}}}
	conditions, other := splitHeader(header)
	require.Len(t, conditions, len(Conditions))
	for i, f := range conditions {
		assert.Equal(t, Conditions[i], f.Key, "every condition is listed, in order")
	}
	commit, _ := Lookup(conditions, "commit")
	assert.Equal(t, []string{"abc"}, commit.Values)
	capacity, _ := Lookup(conditions, "capacity")
	assert.Empty(t, capacity.Values, "an unrecorded condition has no value")
	assert.Equal(t, []Field{{"server", []string{"workers=2"}}, {"goos", []string{"linux"}}}, other)
}
