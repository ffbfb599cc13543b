package isolate

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// Allowed returns the CPUs this process may run on.
func Allowed() (CPUSet, error) {
	var m unix.CPUSet
	if err := unix.SchedGetaffinity(0, &m); err != nil {
		return nil, fmt.Errorf("isolate: %w", err)
	}
	return fromMask(&m), nil
}

// Pin restricts every thread of this process to cpus. Threads the runtime
// starts later are cloned from pinned ones and inherit the restriction.
func Pin(cpus CPUSet) error {
	m, err := toMask(cpus)
	if err != nil {
		return err
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return fmt.Errorf("isolate: %w", err)
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		// A thread may exit between the listing and the call.
		if err := unix.SchedSetaffinity(tid, m); err != nil && err != unix.ESRCH {
			return fmt.Errorf("isolate: pin thread %d: %w", tid, err)
		}
	}
	return nil
}

func startPinned(cmd *exec.Cmd, cpus CPUSet) error {
	m, err := toMask(cpus)
	if err != nil {
		return err
	}
	runtime.LockOSThread()
	var saved unix.CPUSet
	if err := unix.SchedGetaffinity(0, &saved); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("isolate: %w", err)
	}
	if err := unix.SchedSetaffinity(0, m); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("isolate: pin to %v: %w", cpus, err)
	}
	startErr := cmd.Start()
	if err := unix.SchedSetaffinity(0, &saved); err != nil {
		// Left locked, the pinned thread dies with this goroutine instead
		// of running others on the wrong CPUs.
		return errors.Join(startErr, fmt.Errorf("isolate: restore affinity: %w", err))
	}
	runtime.UnlockOSThread()
	return startErr
}

// CPUTime returns the user plus system CPU time the process pid has used
// so far, from /proc/PID/stat.
func CPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("isolate: %w", err)
	}
	return parseStatCPU(b, ticksPerSecond)
}

// SelfCPUTime returns the user plus system CPU time of this process.
func SelfCPUTime() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ticksPerSecond is the kernel's USER_HZ, in which /proc reports CPU
// times; it is 100 on every Linux architecture Go supports.
const ticksPerSecond = 100

func toMask(cpus CPUSet) (*unix.CPUSet, error) {
	var m unix.CPUSet
	for _, c := range cpus {
		if c < 0 || c >= len(m)*64 {
			return nil, fmt.Errorf("isolate: CPU %d out of range", c)
		}
		m.Set(c)
	}
	if m.Count() == 0 {
		return nil, fmt.Errorf("isolate: empty CPU set")
	}
	return &m, nil
}

func fromMask(m *unix.CPUSet) CPUSet {
	var s CPUSet
	for c := 0; c < len(m)*64; c++ {
		if m.IsSet(c) {
			s = append(s, c)
		}
	}
	return s
}
