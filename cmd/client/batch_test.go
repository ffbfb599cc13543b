package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
)

// counts are the summary fields a batch test checks.
type counts struct {
	jobs, sent, answered, ok, busy, errors, missing, unsent, unexpected int
}

func countsOf(m map[string]float64) counts {
	return counts{
		jobs: int(m["jobs"]), sent: int(m["sent"]), answered: int(m["answered"]), ok: int(m["ok"]),
		busy: int(m["busy"]), errors: int(m["errors"]), missing: int(m["missing"]),
		unsent: int(m["unsent"]), unexpected: int(m["unexpected"]),
	}
}

func TestBatchAgainstFakeServer(t *testing.T) {
	dir := writeImages(t)
	every3rd := func(id uint64) bool { return id%3 == 0 }
	tests := []struct {
		name     string
		give     fakeBehavior
		args     []string
		want     counts
		wantCode int
	}{
		{
			name: "in order",
			want: counts{jobs: 3, sent: 3, answered: 3, ok: 3},
		},
		{
			name: "reordered, repeated, one connection",
			give: fakeBehavior{window: 4},
			args: []string{"-repeat", "40", "-conns", "1", "-inflight", "8"},
			want: counts{jobs: 120, sent: 120, answered: 120, ok: 120},
		},
		{
			name: "reordered over many connections",
			give: fakeBehavior{window: 3},
			args: []string{"-repeat", "50", "-conns", "7", "-inflight", "3"},
			want: counts{jobs: 150, sent: 150, answered: 150, ok: 150},
		},
		{
			name:     "busy fails by default",
			give:     fakeBehavior{status: func(id uint64) core.Status { return core.Status(btoi(every3rd(id))) }},
			args:     []string{"-repeat", "10"},
			want:     counts{jobs: 30, sent: 30, answered: 30, ok: 20, busy: 10},
			wantCode: 1,
		},
		{
			name: "busy allowed",
			give: fakeBehavior{status: func(id uint64) core.Status { return core.Status(btoi(every3rd(id))) }},
			args: []string{"-repeat", "10", "-busy-ok"},
			want: counts{jobs: 30, sent: 30, answered: 30, ok: 20, busy: 10},
		},
		{
			name:     "busy allowed, errors still fail",
			give:     fakeBehavior{status: func(id uint64) core.Status { return core.Status(2 * btoi(id == 7)) }},
			args:     []string{"-repeat", "10", "-busy-ok"},
			want:     counts{jobs: 30, sent: 30, answered: 30, ok: 29, errors: 1},
			wantCode: 1,
		},
		{
			name:     "missing response",
			give:     fakeBehavior{drop: func(id uint64) bool { return id == 5 }, window: 2},
			args:     []string{"-repeat", "4", "-conns", "2"},
			want:     counts{jobs: 12, sent: 12, answered: 11, ok: 11, missing: 1},
			wantCode: 1,
		},
		{
			name:     "duplicate response",
			give:     fakeBehavior{dup: func(id uint64) bool { return id == 2 }},
			args:     []string{"-repeat", "2"},
			want:     counts{jobs: 6, sent: 6, answered: 6, ok: 6, unexpected: 1},
			wantCode: 1,
		},
		{
			name:     "server hangs up",
			give:     fakeBehavior{hangup: 4, window: 4},
			args:     []string{"-repeat", "10", "-conns", "1", "-inflight", "4"},
			want:     counts{jobs: 30, sent: 4, missing: 4, unsent: 26},
			wantCode: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startFake(t, tt.give)
			// Without retries each job is sent once; TestRetries sends
			// them again.
			args := append([]string{"-addr", srv.addr(), "-dir", dir, "-retries", "0"}, tt.args...)
			r := runClient(t, context.Background(), args...)
			require.NotNil(t, r.summary, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			assert.Equal(t, tt.want, countsOf(r.summary), "stderr: %s", r.stderr)
			assert.Equal(t, tt.wantCode, r.code, "stderr: %s", r.stderr)
			seen := srv.seenIDs()
			assert.Len(t, seen, tt.want.sent, "distinct job ids the server read")
			for id, n := range seen {
				assert.Equal(t, 1, n, "job %d sent %d times", id, n)
				assert.True(t, id >= 1 && id <= uint64(tt.want.jobs), "job id %d out of 1..%d", id, tt.want.jobs)
			}
		})
	}
}

// TestRetries: jobs refused BUSY or SHUTTING_DOWN, or lost with their
// connection, are sent again (over a new connection when theirs is gone),
// within the cap per job and the batch's budget; what is left counts as
// without retries.
func TestRetries(t *testing.T) {
	dir := writeImages(t)
	firstTry := func(st core.Status, pick func(uint64) bool) func(uint64, int) core.Status {
		return func(id uint64, n int) core.Status {
			if n == 1 && pick(id) {
				return st
			}
			return core.StatusOK
		}
	}
	every3rd := func(id uint64) bool { return id%3 == 0 }
	tests := []struct {
		name           string
		give           fakeBehavior
		args           []string
		want           counts
		wantCode       int
		wantRetries    [2]int // at least, at most
		wantReconnects bool
	}{
		{
			name:        "busy once, then served",
			give:        fakeBehavior{attempt: firstTry(core.StatusBusy, every3rd)},
			args:        []string{"-repeat", "10"},
			want:        counts{jobs: 30, sent: 30, answered: 30, ok: 30},
			wantRetries: [2]int{10, 10},
		},
		{
			name: "busy for ever: the cap and the budget end it",
			give: fakeBehavior{status: func(id uint64) core.Status { return core.Status(btoi(every3rd(id))) }},
			args: []string{"-repeat", "10"},
			want: counts{jobs: 30, sent: 30, answered: 30, ok: 20, busy: 10},
			// 10 to start with and 0.2 per job sent: at most 16 of the 30
			// the cap would allow.
			wantRetries: [2]int{10, 16},
			wantCode:    1,
		},
		{
			name:        "no budget but the allowance",
			give:        fakeBehavior{attempt: firstTry(core.StatusBusy, every3rd)},
			args:        []string{"-repeat", "20", "-retry-budget", "0", "-busy-ok"},
			want:        counts{jobs: 60, sent: 60, answered: 60, ok: 50, busy: 10},
			wantRetries: [2]int{10, 10},
		},
		{
			name:        "retries off",
			give:        fakeBehavior{attempt: firstTry(core.StatusBusy, every3rd)},
			args:        []string{"-repeat", "10", "-retries", "0", "-busy-ok"},
			want:        counts{jobs: 30, sent: 30, answered: 30, ok: 20, busy: 10},
			wantRetries: [2]int{0, 0},
		},
		{
			name: "lost with a connection that hung up",
			give: fakeBehavior{hangup: 4, hangupConns: 1},
			args: []string{"-repeat", "10", "-conns", "1", "-inflight", "4"},
			want: counts{jobs: 30, sent: 30, answered: 30, ok: 30},
			// The fourth request, which the server read and left
			// unanswered, and those the client wrote after it before the
			// hang-up: up to -inflight in all.
			wantRetries:    [2]int{1, 4},
			wantReconnects: true,
		},
		{
			name: "shutting down: the connection drains, the rest goes over a new one",
			give: fakeBehavior{shutdownAfter: 5, shutdownConns: 1},
			args: []string{"-repeat", "10", "-conns", "1", "-inflight", "2"},
			want: counts{jobs: 30, sent: 30, answered: 30, ok: 30},
			// The two in flight when the server said it was shutting
			// down, and one more that the sender had in hand then and
			// wrote into the closing connection.
			wantRetries:    [2]int{1, 3},
			wantReconnects: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startFake(t, tt.give)
			args := append([]string{"-addr", srv.addr(), "-dir", dir}, tt.args...)
			r := runClient(t, context.Background(), args...)
			require.NotNil(t, r.summary, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			assert.Equal(t, tt.want, countsOf(r.summary), "stderr: %s", r.stderr)
			assert.Equal(t, tt.wantCode, r.code, "stderr: %s", r.stderr)
			retries := int(r.summary["retries"])
			assert.GreaterOrEqual(t, retries, tt.wantRetries[0])
			assert.LessOrEqual(t, retries, tt.wantRetries[1])
			assert.Equal(t, tt.wantReconnects, r.summary["reconnects"] > 0)
			read := 0
			for id, n := range srv.seenIDs() {
				read += n
				assert.LessOrEqual(t, n, 4, "job %d sent more than -retries 3 allow", id)
			}
			assert.GreaterOrEqual(t, read, tt.want.sent, "the server read fewer requests than were sent")
			assert.LessOrEqual(t, read, tt.want.sent+retries, "the server read requests nobody sent")
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestQuietPrintsOnlyTheSummaryLine(t *testing.T) {
	srv := startFake(t, fakeBehavior{})
	r := runClient(t, context.Background(), "-addr", srv.addr(), "-dir", writeImages(t), "-quiet")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `^summary jobs=3 sent=3 answered=3 ok=3 busy=0 errors=0 missing=0 unsent=0 unexpected=0 imgs_per_s=\S+ p50_ms=\S+ p99_ms=\S+ queue_p50_ms=0.100 service_p50_ms=1.000 elapsed_s=\S+ retries=0 retries_denied=0 reconnects=0\n$`, r.stdout)
	assert.Empty(t, r.stderr)
}

func TestTextSummary(t *testing.T) {
	srv := startFake(t, fakeBehavior{status: func(id uint64) core.Status { return core.Status(2 * btoi(id == 2)) }})
	r := runClient(t, context.Background(), "-addr", srv.addr(), "-dir", writeImages(t))
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "jobs 3 (3 images x 1) over 4 connections, 16 in flight each\n")
	assert.Contains(t, r.stdout, "answered 3 of 3 sent: OK 2, BAD_REQUEST 1\n")
	assert.Contains(t, r.stdout, "  first BAD_REQUEST: b.jpg: BAD_REQUEST: refused by the fake server\n")
	assert.Contains(t, r.stderr, "client: jobs not answered OK: 1 failed\n")
}

func TestOutWritesFirstResultPerImage(t *testing.T) {
	srv := startFake(t, fakeBehavior{window: 2})
	dir := writeImages(t)
	out := filepath.Join(t.TempDir(), "new", "results")
	r := runClient(t, context.Background(), "-addr", srv.addr(), "-dir", dir, "-out", out, "-repeat", "5", "-op", "noop")
	require.Equal(t, 0, r.code, r.stderr)
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	// The fake server echoes, so each result keeps its input's encoding.
	assert.Equal(t, []string{"a_noop.png", "b_noop.jpg", "c_noop.gif"}, names)
	want, err := os.ReadFile(filepath.Join(dir, "c.gif"))
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(out, "c_noop.gif"))
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestInterruptEndsTheRun(t *testing.T) {
	stall := make(chan struct{})
	defer close(stall)
	srv := startFake(t, fakeBehavior{drop: func(uint64) bool { return true }, stall: stall})
	srv.read = make(chan struct{}, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() {
		done <- runClient(t, ctx, "-addr", srv.addr(), "-dir", writeImages(t), "-conns", "1", "-repeat", "3")
	}()
	for range 9 {
		<-srv.read
	}
	cancel()
	r := <-done
	assert.Equal(t, 1, r.code)
	assert.Equal(t, counts{jobs: 9, sent: 9, missing: 9}, countsOf(r.summary))
	assert.Contains(t, r.stderr, "client: stopped early: context canceled\n")
}

func TestTimeoutEndsTheRun(t *testing.T) {
	stall := make(chan struct{})
	defer close(stall)
	srv := startFake(t, fakeBehavior{drop: func(id uint64) bool { return id == 1 }, stall: stall})
	r := runClient(t, context.Background(), "-addr", srv.addr(), "-dir", writeImages(t), "-timeout", "200ms", "-conns", "1")
	assert.Equal(t, 1, r.code)
	assert.Equal(t, counts{jobs: 3, sent: 3, answered: 2, ok: 2, missing: 1}, countsOf(r.summary))
	assert.Contains(t, r.stderr, "client: stopped early: context deadline exceeded\n")
}
