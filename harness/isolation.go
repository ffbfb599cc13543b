package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/tcpimg/tcpimg/admin"
	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness/isolate"
)

// Isolation runs the server under test as a process of its own, pinned to
// its own CPUs, while the load generator runs in this process on the
// others. In process, the generator shares the server's two cores and
// takes more of them the more load it offers, so a strategy's goodput
// falling from open-120 to open-200 would mix the strategy with the
// generator's appetite; isolated, each side's CPU time is its own and is
// reported per job.
type Isolation struct {
	// Server is the path of the server binary (go build ./cmd/server).
	Server string
	// ServerCPUs and LoadCPUs are the CPUs of the server process and of
	// this one; they must not overlap. [isolate.Split] divides a machine.
	ServerCPUs, LoadCPUs isolate.CPUSet
}

// Validate reports an isolation that cannot keep the two apart.
func (iso *Isolation) Validate() error {
	switch {
	case iso.Server == "":
		return errors.New("isolation: no server binary")
	case len(iso.ServerCPUs) == 0 || len(iso.LoadCPUs) == 0:
		return errors.New("isolation: the server and the load generator each need at least one CPU")
	}
	for _, c := range iso.ServerCPUs {
		for _, d := range iso.LoadCPUs {
			if c == d {
				return fmt.Errorf("isolation: CPU %d is both the server's and the load generator's", c)
			}
		}
	}
	return nil
}

// serverProcess is one server under test, started for one run.
type serverProcess struct {
	cmd    *exec.Cmd
	addr   string // the wire protocol's
	admin  string // http://host:port of the admin listener
	exited chan struct{}
	err    error // cmd.Wait's, once exited is closed
	logs   *tailBuffer
}

// startProcess starts the server binary with cfg (its defaults resolved,
// see Isolation.resolve), pinned to iso.ServerCPUs, and waits until it
// listens.
func (iso *Isolation) startProcess(ctx context.Context, cfg ServerConfig, strategy string) (*serverProcess, error) {
	args := []string{
		"-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0", "-log-format", "json",
		"-pool", strategy, "-workers", strconv.Itoa(cfg.Workers), "-queue", strconv.Itoa(cfg.QueueSize),
		"-admission", cfg.Admission.String(), "-limiter", cfg.Limiter, "-admit", cfg.Admit,
	}
	cmd := exec.Command(iso.Server, args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(len(iso.ServerCPUs)))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := isolate.Start(cmd, iso.ServerCPUs); err != nil {
		return nil, fmt.Errorf("start %s: %w", iso.Server, err)
	}
	p := &serverProcess{cmd: cmd, exited: make(chan struct{}), logs: &tailBuffer{max: 8 << 10}}
	addrs := make(chan [2]string, 1)
	go p.readLogs(stderr, addrs)
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	select {
	case a := <-addrs:
		p.addr, p.admin = a[0], "http://"+a[1]
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("server exited before listening: %v: %s", p.err, p.logs)
	case <-ctx.Done():
		p.kill()
		return nil, ctx.Err()
	case <-time.After(10 * time.Second):
		p.kill()
		return nil, fmt.Errorf("server did not listen within 10 s: %s", p.logs)
	}
}

// readLogs keeps the end of the server's log and reports its two
// addresses once it has logged both.
func (p *serverProcess) readLogs(r io.Reader, addrs chan<- [2]string) {
	var wire, adm string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Bytes()
		p.logs.Write(append(line, '\n'))
		var rec struct{ Msg, Addr string }
		if json.Unmarshal(line, &rec) != nil {
			continue
		}
		switch rec.Msg {
		case "listening":
			wire = rec.Addr
		case "admin":
			adm = rec.Addr
		}
		if wire != "" && adm != "" {
			addrs <- [2]string{wire, adm}
			wire = "" // report once
		}
	}
	io.Copy(io.Discard, r)
}

// stop sends SIGTERM, as an operator would, and waits for the exit; a
// server that has not exited within drain is killed, and that is an error.
func (p *serverProcess) stop(drain time.Duration) error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(drain):
		p.kill()
		return fmt.Errorf("server did not exit within %v of SIGTERM; killed: %s", drain, p.logs)
	}
	if p.err != nil {
		return fmt.Errorf("server: %w: %s", p.err, p.logs)
	}
	return nil
}

func (p *serverProcess) kill() {
	p.cmd.Process.Kill()
	<-p.exited
}

// cpu returns the process's CPU time so far.
func (p *serverProcess) cpu() time.Duration {
	d, _ := isolate.CPUTime(p.cmd.Process.Pid)
	return d
}

// prime sends one NOOP through the server and waits for its answer, so
// that goroutines a pool starts on its first task (ants starts its
// cleaners then) are in the baseline rather than counted as leaked.
func (p *serverProcess) prime(ctx context.Context) error {
	c, err := core.Dial(p.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if deadline, ok := ctx.Deadline(); ok {
		c.Conn().SetDeadline(deadline)
	} else {
		c.Conn().SetDeadline(time.Now().Add(10 * time.Second))
	}
	if err := c.Send(core.RequestHeader{Op: core.OpNoop, JobID: 1}, nil); err != nil {
		return err
	}
	r, err := c.Recv()
	if err == nil && r.Status != core.StatusOK {
		err = fmt.Errorf("priming NOOP answered %v", r.Status)
	}
	return err
}

// idleStats reads the stats of a server that has just started, once its
// goroutine count has held still for a few reads: the server logs that it
// listens a moment before its accept loop's goroutine starts, and a
// baseline taken in between would count that goroutine as a leak.
func (p *serverProcess) idleStats(ctx context.Context) (admin.Stats, error) {
	const still = 3
	var last admin.Stats
	same := 0
	for range 200 {
		st, err := admin.FetchStats(ctx, p.admin)
		if err != nil {
			return st, err
		}
		if st.Runtime.Goroutines == last.Runtime.Goroutines {
			if same++; same == still {
				return st, nil
			}
		} else {
			same = 0
		}
		last = st
		if err := pause(ctx, 5*time.Millisecond); err != nil {
			return st, err
		}
	}
	return last, nil
}

// settledStats reads the server's stats until its goroutines are back to
// baseline or within has passed: goroutines ending as the last connection
// closes get that long before they count as leaked.
func (p *serverProcess) settledStats(ctx context.Context, baseline int, within time.Duration) (admin.Stats, error) {
	deadline := time.Now().Add(within)
	for {
		st, err := admin.FetchStats(ctx, p.admin)
		if err != nil || st.Runtime.Goroutines <= baseline || time.Now().After(deadline) {
			return st, err
		}
		if err := pause(ctx, 5*time.Millisecond); err != nil {
			return st, err
		}
	}
}

// pause waits d, or less if ctx ends first.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tailBuffer keeps the last max bytes written, for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// resolve spells out cfg's defaults for a server on iso.ServerCPUs: its
// workers follow its own cores, not this process's.
func (iso *Isolation) resolve(cfg ServerConfig) ServerConfig {
	if cfg.Workers == 0 {
		cfg.Workers = len(iso.ServerCPUs)
	}
	return cfg.resolved()
}

// runIsolated runs s against a server process of its own: started for the
// run, read through its admin listener before and after, and stopped with
// SIGTERM as an operator would. cfg is resolved.
func (r *Runner) runIsolated(ctx context.Context, s Scenario, pool string, cfg ServerConfig, capacity float64, lib *Library) (*Metrics, error) {
	p, err := r.Isolate.startProcess(ctx, cfg, pool)
	if err != nil {
		return nil, err
	}
	err = p.prime(ctx)
	var before admin.Stats
	if err == nil {
		before, err = p.idleStats(ctx)
	}
	if err == nil {
		_, err = admin.ResetPeaks(ctx, p.admin)
	}
	if err != nil {
		p.kill()
		return nil, fmt.Errorf("server stats: %w", err)
	}
	serverCPU, loadCPU := p.cpu(), isolate.SelfCPUTime()

	gen := &Generator{Dial: DialTCP(p.addr), Images: lib, QueueSize: cfg.QueueSize}
	res, genErr := gen.Run(ctx, s, capacity)

	serverCPU, loadCPU = p.cpu()-serverCPU, isolate.SelfCPUTime()-loadCPU
	after, statsErr := p.settledStats(ctx, before.Runtime.Goroutines, time.Second)
	stopErr := p.stop(DefaultDrainTimeout)
	if res == nil {
		return nil, errors.Join(genErr, statsErr, stopErr)
	}
	res.Isolated = &IsolatedRun{
		ServerCPUs: r.Isolate.ServerCPUs.String(),
		LoadCPUs:   r.Isolate.LoadCPUs.String(),
		ServerCPU:  serverCPU,
		LoadCPU:    loadCPU,
	}
	res.PeakGoroutines, res.PeakHeap = after.Runtime.PeakGoroutines, after.Runtime.PeakHeap
	res.Leaked = max(after.Runtime.Goroutines-before.Runtime.Goroutines, 0)
	res.Server = after.Server
	return res, errors.Join(genErr, statsErr, stopErr)
}

// IsolatedRun is what an isolated run measured of its two processes.
type IsolatedRun struct {
	ServerCPUs string `json:"server_cpus"` // as taskset -c writes them
	LoadCPUs   string `json:"load_cpus"`
	// ServerCPU and LoadCPU are the CPU time (user and system) each
	// process used during the run, warm-up included.
	ServerCPU time.Duration `json:"server_cpu"`
	LoadCPU   time.Duration `json:"load_cpu"`
}

// figures are the CPU each side spent per job the server completed OK,
// warm-up included as the CPU times are: what a useful job costs the
// server, refusals and all, and what generating its load cost.
func (iso *IsolatedRun) figures(st *core.Stats) []Figure {
	if st.Completed == 0 {
		return nil
	}
	return []Figure{
		{float64(iso.ServerCPU) / float64(st.Completed), "server-cpu-ns/ok"},
		{float64(iso.LoadCPU) / float64(st.Completed), "load-cpu-ns/ok"},
	}
}
