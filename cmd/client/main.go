// Command client sends a folder of images to a tcpimg server as one batch and
// reports how it went.
//
// Usage:
//
//	client [flags]
//
// Every regular file in -dir whose name ends in .png, .jpg, .jpeg or .gif is
// read once and sent as one job (-repeat N sends the whole batch N times).
// The jobs are spread over -conns connections; each connection pipelines up
// to -inflight requests, with one goroutine sending and one receiving, and
// pairs responses to requests by job id, since the server answers in any
// order. A response for an id that is not outstanding (a duplicate or an
// unknown id) is counted unexpected. Latency is measured per job on the
// client, from handing the request to the connection to reading its final
// response (retries and their waits included), and kept in an HDR
// histogram.
//
// Retries: every operation is a pure function of its request, so a job the
// server did not run may be sent again. A job answered BUSY or
// SHUTTING_DOWN, or outstanding on a connection that closed, is sent again
// after a backoff with full jitter (5 ms doubling up to 1 s), at most
// -retries times (default 3; 0 turns retrying off), and only while the
// batch's retry budget lasts: 10 retries to start with and -retry-budget
// (default 0.2) more per job sent, so that retries add at most a fifth to
// the load of a server that refuses everything. A connection answered
// SHUTTING_DOWN is drained and replaced, and a closed one is redialled. What
// is left once the cap or the budget is spent counts as without retries: a
// final BUSY is a BUSY, a job whose connection closed is missing.
//
// TLS: -tls-ca, -tls-cert, -tls-key and -tls-server-name (any of them)
// make every connection TLS 1.3, with a client certificate for servers
// that require one.
//
// With -out DIR, the first OK result for each input image is written to DIR
// as <name>_<op>.<ext>, where <name> is the input's base name without its
// extension and <ext> comes from the result's actual encoding.
//
// On a terminal, stderr shows a progress bar; otherwise (and with -quiet)
// the client is silent until the summary. The summary on stdout lists jobs,
// answers by status, missing responses, images per second and latency
// percentiles, and ends with one line meant for scripts:
//
//	summary jobs=700 sent=700 answered=700 ok=690 busy=10 errors=0 missing=0 unsent=0 unexpected=0 imgs_per_s=123.4 p50_ms=1.234 p99_ms=5.678 queue_p50_ms=0.100 service_p50_ms=1.000 elapsed_s=5.670 retries=12 retries_denied=0 reconnects=1
//
// where sent counts jobs sent at least once, answers count each job's final
// answer, errors counts answers other than OK and BUSY, missing counts jobs
// sent but never answered, unsent counts jobs never sent because their
// connections failed, imgs_per_s is OK answers per second of wall time,
// retries counts requests sent again, retries_denied the refusals and
// losses left as they were because the cap or the budget was spent, and
// reconnects the connections opened in place of closed ones.
// With -quiet only that line is printed.
//
// Exit status: 0 when every job was answered OK; 1 when any job was answered
// otherwise, or is missing, unsent or unexpected, or the run failed; 2 for a
// bad flag, a missing -dir or a -dir without images. BUSY is a refusal, not
// an answer: it fails the run unless -busy-ok is given, which load scripts
// use because a server that sheds load under a burst is working as designed.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
