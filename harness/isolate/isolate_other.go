//go:build !linux

package isolate

import (
	"os/exec"
	"time"
)

// Allowed reports ErrUnsupported off Linux.
func Allowed() (CPUSet, error) { return nil, ErrUnsupported }

// Pin reports ErrUnsupported off Linux.
func Pin(CPUSet) error { return ErrUnsupported }

func startPinned(*exec.Cmd, CPUSet) error { return ErrUnsupported }

// CPUTime reports ErrUnsupported off Linux.
func CPUTime(int) (time.Duration, error) { return 0, ErrUnsupported }

// SelfCPUTime returns 0 off Linux.
func SelfCPUTime() time.Duration { return 0 }
