// Command server runs the tcpimg image-processing server: protocol version
// 1 over raw TCP (see PROTOCOL.md), with a swappable worker pool and
// connection limiter.
//
// Usage:
//
//	server [flags]
//
// It listens on -addr (default :8082), logs the address it listens on, and
// on SIGINT or SIGTERM stops accepting, answers every job it accepted, and
// exits; a second signal exits at once. With -drain-delay it first keeps
// serving that long while /readyz on the admin listener (-admin-addr)
// answers 503, so that a balancer stops sending it work. -tls-cert and
// -tls-key serve TLS, -tls-client-ca requires client certificates. -list
// prints the registered strategies. A bad flag value or an unreadable
// certificate is a one-line error and exit status 2.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(mainCode(os.Args[1:], os.Stdout, os.Stderr))
}

// mainCode runs the command and returns its exit status.
func mainCode(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	switch {
	case errors.Is(err, errHelp):
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 2
	}
	if cfg.list {
		printStrategies(stdout)
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, stop, stderr, nil); err != nil {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 1
	}
	return 0
}
