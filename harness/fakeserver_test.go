package harness_test

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/tcpimg/tcpimg/core"
)

// scriptServer is a fake server over net.Pipe, for tests on synctest's
// fake clock: it answers the n-th request it reads (from 0, over all
// connections), read at now (since the server was made), as answer says:
// after a delay, with a status, reporting a service time of
// scriptService. It keeps the deadline field of every request.
type scriptServer struct {
	start  time.Time
	answer func(n int, now time.Duration) (time.Duration, core.Status)
	wg     sync.WaitGroup

	mu        sync.Mutex
	n         int
	deadlines []uint32
	conns     []net.Conn
}

// scriptService is the service time a scriptServer reports.
const scriptService = time.Millisecond

func newScriptServer(answer func(n int, now time.Duration) (time.Duration, core.Status)) *scriptServer {
	return &scriptServer{start: time.Now(), answer: answer}
}

func (s *scriptServer) dial(context.Context) (net.Conn, error) {
	client, server := net.Pipe()
	s.mu.Lock()
	s.conns = append(s.conns, server)
	s.mu.Unlock()
	s.wg.Go(func() { s.serve(server) })
	return client, nil
}

func (s *scriptServer) serve(c net.Conn) {
	var wmu sync.Mutex
	for {
		h, _, err := core.ReadRequest(c, 1<<20, nil)
		if err != nil {
			return
		}
		s.mu.Lock()
		delay, st := s.answer(s.n, time.Since(s.start))
		s.n++
		s.deadlines = append(s.deadlines, h.Deadline)
		s.mu.Unlock()
		s.wg.Add(1)
		time.AfterFunc(delay, func() {
			defer s.wg.Done()
			var b [core.HeaderSize]byte
			core.PutResponseHeader(b[:], &core.ResponseHeader{JobID: h.JobID, Status: st, ServiceUS: uint32(scriptService.Microseconds())})
			wmu.Lock()
			defer wmu.Unlock()
			c.Write(b[:])
		})
	}
}

func (s *scriptServer) close() {
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}
