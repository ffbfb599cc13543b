package core

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// tlsWriteBuffer is the size of a TLS connection's write buffer: one
// record's worth of plaintext, so that a batch of small responses goes out
// in few records and system calls rather than two records per response.
const tlsWriteBuffer = 16 << 10

// handshake completes the TLS handshake of a TLS connection under the
// handshake timeout; it reports whether the connection may be served. A
// plain connection needs none. Shutdown aborts a handshake at once: the
// connection has no request read, so nothing is owed to it.
func (c *conn) handshake() bool {
	tc, ok := c.nc.(*tls.Conn)
	if !ok {
		return true
	}
	s := c.srv
	ctx, cancel := context.WithTimeout(c.ctx, s.cfg.Limits.HandshakeTimeout)
	defer cancel()
	stop := context.AfterFunc(s.acceptCtx, cancel)
	defer stop()
	err := tc.HandshakeContext(ctx)
	if err == nil {
		return true
	}
	if s.acceptCtx.Err() == nil {
		s.tlsRefused(c.remote, err)
	}
	return false
}

// tlsRefused counts and logs a connection refused during its handshake.
func (s *Server) tlsRefused(remote string, err error) {
	if isCertRefusal(err) {
		s.stats.update(func(st *Stats) { st.CertsRefused++ })
		s.certLog.warn(s.log, "TLS client certificate refused", "remote", remote, "err", err)
		return
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = errors.New("handshake timed out")
	}
	s.stats.update(func(st *Stats) { st.HandshakesFailed++ })
	s.handshakeLog.warn(s.log, "TLS handshake failed", "remote", remote, "err", err)
}

// isCertRefusal reports whether a server handshake failed for the client's
// certificate: one that does not verify, or none where one is required.
// crypto/tls gives the second case no error type of its own, so its
// message is matched; TestTLSRefusals fails if it ever changes.
func isCertRefusal(err error) bool {
	var verr *tls.CertificateVerificationError
	return errors.As(err, &verr) || strings.Contains(err.Error(), "client didn't provide a certificate")
}

// logLimiter lets at most one log line a second through, so that a flood
// of refused connections cannot flood the log; each line says how many
// were left out since the previous one.
type logLimiter struct {
	mu      sync.Mutex
	last    time.Time
	skipped int
}

func (l *logLimiter) warn(log *slog.Logger, msg string, args ...any) {
	l.mu.Lock()
	now := time.Now()
	if !l.last.IsZero() && now.Sub(l.last) < time.Second {
		l.skipped++
		l.mu.Unlock()
		return
	}
	skipped := l.skipped
	l.last, l.skipped = now, 0
	l.mu.Unlock()
	log.Warn(msg, append(args, "not_logged_since_last", skipped)...)
}
