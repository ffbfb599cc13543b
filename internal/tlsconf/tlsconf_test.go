package tlsconf_test

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/tcpimg/tcpimg/internal/testcert"
	"github.com/tcpimg/tcpimg/internal/tlsconf"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fixture writes a server and a client certificate of one CA, and a PEM
// file with no certificate in it.
type fixture struct {
	server, client testcert.Files
	empty          string
}

func newFixture(t *testing.T) fixture {
	dir := t.TempDir()
	ca := testcert.NewCA(t, "test CA")
	f := fixture{
		server: ca.WriteFiles(t, dir, "server", ca.Server(t)),
		client: ca.WriteFiles(t, dir, "client", ca.Client(t, "alice")),
		empty:  filepath.Join(dir, "empty.pem"),
	}
	require.NoError(t, os.WriteFile(f.empty, []byte("not pem\n"), 0o600))
	return f
}

func TestFilesRefuseIncompleteSetUps(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name   string
		server tlsconf.ServerFiles
		client tlsconf.ClientFiles
		want   string
	}{
		{name: "server cert without key", server: tlsconf.ServerFiles{Cert: f.server.Cert}, want: "go together"},
		{name: "server client CA alone", server: tlsconf.ServerFiles{ClientCA: f.server.CA}, want: "go together"},
		{name: "server key is a cert", server: tlsconf.ServerFiles{Cert: f.server.Cert, Key: f.server.Cert}, want: "-tls-cert/-tls-key"},
		{name: "server missing file", server: tlsconf.ServerFiles{Cert: "/nonexistent", Key: f.server.Key}, want: "-tls-cert/-tls-key"},
		{name: "server client CA not PEM", server: tlsconf.ServerFiles{Cert: f.server.Cert, Key: f.server.Key, ClientCA: f.empty}, want: "-tls-client-ca"},
		{name: "client key without cert", client: tlsconf.ClientFiles{Key: f.client.Key}, want: "go together"},
		{name: "client CA not PEM", client: tlsconf.ClientFiles{CA: f.empty}, want: "-tls-ca"},
		{name: "client CA missing", client: tlsconf.ClientFiles{CA: "/nonexistent"}, want: "-tls-ca"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.server != (tlsconf.ServerFiles{}) {
				_, err = tt.server.Config()
			} else {
				_, err = tt.client.Config()
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestZeroFilesMeanPlainTCP(t *testing.T) {
	s, err := tlsconf.ServerFiles{}.Config()
	require.NoError(t, err)
	assert.Nil(t, s)
	c, err := tlsconf.ClientFiles{}.Config()
	require.NoError(t, err)
	assert.Nil(t, c)
}

// TestDialMutualTLS loads both sides from files and completes a mutual
// handshake through Dial; a client without a certificate fails its first
// read, since TLS 1.3 servers refuse a client after the client's side of
// the handshake is done.
func TestDialMutualTLS(t *testing.T) {
	f := newFixture(t)
	scfg, err := tlsconf.ServerFiles{Cert: f.server.Cert, Key: f.server.Key, ClientCA: f.server.CA}.Config()
	require.NoError(t, err)
	assert.Equal(t, uint16(tls.VersionTLS13), scfg.MinVersion)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", scfg)
	require.NoError(t, err)
	defer ln.Close()
	served := make(chan string, 2)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(served)
				return
			}
			tc := c.(*tls.Conn)
			if err := tc.Handshake(); err != nil {
				served <- "refused"
			} else {
				served <- tc.ConnectionState().PeerCertificates[0].Subject.CommonName
				tc.Write([]byte("hi"))
			}
			c.Close()
		}
	}()
	tests := []struct {
		name  string
		files tlsconf.ClientFiles
		want  string
	}{
		{"with a client certificate", tlsconf.ClientFiles{CA: f.client.CA, Cert: f.client.Cert, Key: f.client.Key, ServerName: testcert.ServerName}, "alice"},
		{"without one", tlsconf.ClientFiles{CA: f.client.CA}, "refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ccfg, err := tt.files.Config()
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := tlsconf.Dial(ctx, ln.Addr().String(), ccfg)
			require.NoError(t, err)
			defer c.Close()
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			b, err := io.ReadAll(c)
			if tt.want == "refused" {
				assert.Error(t, err)
			} else {
				assert.NoError(t, err)
				assert.Equal(t, "hi", string(b))
			}
			assert.Equal(t, tt.want, <-served)
		})
	}
	ln.Close()
	for range served {
	}
}

func TestDialPlain(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	c, err := tlsconf.Dial(context.Background(), ln.Addr().String(), nil)
	require.NoError(t, err)
	_, isTLS := c.(*tls.Conn)
	assert.False(t, isTLS)
	c.Close()
}
