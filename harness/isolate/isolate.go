// Package isolate keeps a load generator off the cores of the server it
// measures. On a machine with few cores a load generator in the server's
// process takes CPU from the server, and takes more the higher the load it
// offers, so a strategy's throughput falling with load mixes what the
// strategy does with what the generator costs. Pinning the server to its
// own CPUs and the generator to the others, and counting each one's CPU
// time, separates the two.
//
// It is Linux-only in effect: elsewhere the functions report
// ErrUnsupported and callers run unpinned.
package isolate

import (
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// ErrUnsupported is returned where the system has no CPU affinity calls.
var ErrUnsupported = errors.New("isolate: CPU affinity is not supported here")

// CPUSet is a set of CPU numbers, as taskset -c and
// /sys/devices/system/cpu/online write them ("0-1,3").
type CPUSet []int

// ParseCPUSet parses a list such as "0", "1-3" or "0,2-3". An empty string
// is an empty set.
func ParseCPUSet(s string) (CPUSet, error) {
	var set CPUSet
	if strings.TrimSpace(s) == "" {
		return set, nil
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return nil, fmt.Errorf("isolate: bad CPU list %q", s)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("isolate: bad CPU list %q", s)
			}
		}
		for c := a; c <= b; c++ {
			set = append(set, c)
		}
	}
	slices.Sort(set)
	return slices.Compact(set), nil
}

// String writes the set as taskset -c does.
func (s CPUSet) String() string {
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j+1 < len(s) && s[j+1] == s[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if j > i {
			fmt.Fprintf(&b, "%d-%d", s[i], s[j])
		} else {
			fmt.Fprintf(&b, "%d", s[i])
		}
		i = j + 1
	}
	return b.String()
}

// Split divides the CPUs this process may run on into the server's and the
// generator's: the first half (rounded down, at least one) for the server,
// the rest for the load generator. It fails on a single CPU, where nothing
// can be isolated.
func Split() (server, generator CPUSet, err error) {
	all, err := Allowed()
	if err != nil {
		return nil, nil, err
	}
	if len(all) < 2 {
		return nil, nil, fmt.Errorf("isolate: %d CPU available, want at least 2 to keep the generator off the server's", len(all))
	}
	n := max(len(all)/2, 1)
	return all[:n], all[n:], nil
}

// Start starts cmd with its CPU affinity set to cpus from its first
// instruction: the calling goroutine's thread takes that affinity for the
// fork, which the child inherits, and gets its own back afterwards. Setting
// it after the start would race with the child's runtime starting threads
// of its own.
func Start(cmd *exec.Cmd, cpus CPUSet) error {
	if len(cpus) == 0 {
		return cmd.Start()
	}
	return startPinned(cmd, cpus)
}
