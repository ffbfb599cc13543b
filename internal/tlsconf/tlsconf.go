// Package tlsconf builds the TLS configurations of tcpimg's server and
// clients from PEM files, and declares the command-line flags that name
// those files, so that cmd/server, cmd/client, cmd/loadgen and the harness
// share one set of defaults: TLS 1.3 at least, and client certificates
// verified against a CA of the operator's choosing when one is given.
package tlsconf

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
)

// MinVersion is the oldest TLS version either side accepts. Every client is
// ours, so there is no old peer to keep talking to, and TLS 1.3 needs one
// round trip less per handshake.
const MinVersion = tls.VersionTLS13

// ServerConfig returns a server configuration presenting certs. With a
// non-nil clientCAs, every client must present a certificate that verifies
// against it (mutual TLS).
func ServerConfig(certs []tls.Certificate, clientCAs *x509.CertPool) *tls.Config {
	cfg := &tls.Config{Certificates: certs, MinVersion: MinVersion}
	if clientCAs != nil {
		cfg.ClientCAs = clientCAs
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg
}

// ClientConfig returns a client configuration that trusts roots (nil: the
// system's), presents certs when the server asks for one, and expects the
// server to be serverName ("": the host of the address dialled).
func ClientConfig(roots *x509.CertPool, certs []tls.Certificate, serverName string) *tls.Config {
	return &tls.Config{RootCAs: roots, Certificates: certs, ServerName: serverName, MinVersion: MinVersion}
}

// Dial connects to addr ("host:port") and, with a non-nil cfg, completes
// a TLS handshake before it returns, so that a refused certificate is an
// error of the dial. ctx bounds both.
func Dial(ctx context.Context, addr string, cfg *tls.Config) (net.Conn, error) {
	if cfg == nil {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
	d := tls.Dialer{Config: cfg}
	return d.DialContext(ctx, "tcp", addr)
}

// ServerFiles names the PEM files of a server's TLS set-up; the zero value
// means plain TCP.
type ServerFiles struct {
	Cert     string // certificate chain, leaf first
	Key      string // private key of the leaf
	ClientCA string // CA certificates that client certificates must verify against; "" accepts clients without one
}

// AddFlags declares -tls-cert, -tls-key and -tls-client-ca on fs.
func (f *ServerFiles) AddFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.Cert, "tls-cert", "", "serve TLS with this PEM certificate `file` (needs -tls-key)")
	fs.StringVar(&f.Key, "tls-key", "", "PEM private key `file` of -tls-cert")
	fs.StringVar(&f.ClientCA, "tls-client-ca", "", "require client certificates signed by a CA in this PEM `file` (mutual TLS)")
}

// Config loads the files; it returns nil and no error for the zero value.
func (f ServerFiles) Config() (*tls.Config, error) {
	if f == (ServerFiles{}) {
		return nil, nil
	}
	if f.Cert == "" || f.Key == "" {
		return nil, errors.New("-tls-cert and -tls-key go together, and -tls-client-ca needs both")
	}
	cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
	if err != nil {
		return nil, fmt.Errorf("-tls-cert/-tls-key: %w", err)
	}
	var cas *x509.CertPool
	if f.ClientCA != "" {
		if cas, err = loadPool("-tls-client-ca", f.ClientCA); err != nil {
			return nil, err
		}
	}
	return ServerConfig([]tls.Certificate{cert}, cas), nil
}

// ClientFiles names the PEM files of a client's TLS set-up; the zero
// value means plain TCP, and any field set turns TLS on.
type ClientFiles struct {
	CA         string // CA certificates the server's must verify against; "" means the system's
	Cert       string // client certificate chain, for servers that require one
	Key        string // private key of Cert
	ServerName string // name expected in the server's certificate; "" means the host dialled
}

// AddFlags declares -tls-ca, -tls-cert, -tls-key and -tls-server-name on fs.
func (f *ClientFiles) AddFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.CA, "tls-ca", "", "use TLS, trusting the CA certificates in this PEM `file` (default: the system's)")
	fs.StringVar(&f.Cert, "tls-cert", "", "use TLS, presenting this PEM client certificate `file` (needs -tls-key)")
	fs.StringVar(&f.Key, "tls-key", "", "PEM private key `file` of -tls-cert")
	fs.StringVar(&f.ServerName, "tls-server-name", "", "use TLS, expecting this `name` in the server's certificate (default: the host of the address)")
}

// Config loads the files; it returns nil and no error for the zero value.
func (f ClientFiles) Config() (*tls.Config, error) {
	if f == (ClientFiles{}) {
		return nil, nil
	}
	if (f.Cert == "") != (f.Key == "") {
		return nil, errors.New("-tls-cert and -tls-key go together")
	}
	var (
		roots *x509.CertPool
		certs []tls.Certificate
		err   error
	)
	if f.CA != "" {
		if roots, err = loadPool("-tls-ca", f.CA); err != nil {
			return nil, err
		}
	}
	if f.Cert != "" {
		cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
		if err != nil {
			return nil, fmt.Errorf("-tls-cert/-tls-key: %w", err)
		}
		certs = []tls.Certificate{cert}
	}
	return ClientConfig(roots, certs, f.ServerName), nil
}

// loadPool reads a PEM file of CA certificates; flag names it in errors.
func loadPool(flag, path string) (*x509.CertPool, error) {
	pemData, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		return nil, fmt.Errorf("%s %s: no PEM certificate in it", flag, path)
	}
	return pool, nil
}
