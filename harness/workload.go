package harness

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/tcpimg/tcpimg/core"
)

// Workload is a mix of request kinds, sent in proportion to their weights.
type Workload []Job

// Job is one kind of request in a workload.
type Job struct {
	// Op is the operation asked for.
	Op core.Op
	// Images picks the payloads of an image operation from the image
	// folder; ignored by the others (NOOP, SPIN and SLEEP send no payload).
	Images ImageSet
	// Arg1 and Arg2 are the operation's arguments (PROTOCOL.md,
	// Operations): the thumbnail box, the blur radius, µs of SPIN or SLEEP.
	Arg1, Arg2 uint32
	// Format is the output encoding; the zero value keeps the input's.
	Format core.Format
	// Weight is the job's share of the mix; 0 means 1.
	Weight int
	// Dist is how the client draws a SPIN or SLEEP job's length for each
	// request; the zero value, Fixed, sends Arg1 every time.
	Dist Dist
}

// Dist is the distribution of a SPIN or SLEEP job's length, drawn by the
// client for each request so that the server sees a service time of known
// variability: what queueing theory's models take as given.
type Dist uint8

const (
	// Fixed sends Arg1 every time: deterministic service (the D of M/D/c).
	Fixed Dist = iota
	// Exponential draws each length from an exponential distribution of
	// mean Arg1 µs (the second M of M/M/c), rounded to whole µs and kept
	// within the protocol's 1..10,000,000.
	Exponential
)

// Bounds of a drawn length, in µs: those the protocol accepts for SPIN and
// SLEEP.
const (
	minDrawUS = 1
	maxDrawUS = 10_000_000
)

// String returns "fixed" or "exponential".
func (d Dist) String() string {
	switch d {
	case Fixed:
		return "fixed"
	case Exponential:
		return "exponential"
	}
	return fmt.Sprintf("dist(%d)", uint8(d))
}

// draw returns one length for a job of mean mean µs.
func (d Dist) draw(r *rand.Rand, mean uint32) uint32 {
	if d != Exponential {
		return mean
	}
	us := math.Round(r.ExpFloat64() * float64(mean))
	return uint32(min(max(us, minDrawUS), maxDrawUS))
}

// Header returns the request header the job sends (without a job id).
func (j Job) Header() core.RequestHeader {
	return core.RequestHeader{Op: j.Op, Format: j.Format, Arg1: j.Arg1, Arg2: j.Arg2}
}

// Spin returns a job that keeps a core busy for d (SPIN).
func Spin(d time.Duration) Job { return Job{Op: core.OpSpin, Arg1: uint32(d.Microseconds())} }

// Sleep returns a job that waits d without using the CPU (SLEEP).
func Sleep(d time.Duration) Job { return Job{Op: core.OpSleep, Arg1: uint32(d.Microseconds())} }

// SleepExp returns a SLEEP job whose length is drawn per request from an
// exponential distribution of mean mean.
func SleepExp(mean time.Duration) Job {
	j := Sleep(mean)
	j.Dist = Exponential
	return j
}

// Thumbnail returns a job that fits the images of set into a w x h box.
func Thumbnail(set ImageSet, w, h uint32) Job {
	return Job{Op: core.OpThumbnail, Images: set, Arg1: w, Arg2: h}
}

// request is one request ready to send: its header and payload, and the
// distribution its Arg1 is drawn from.
type request struct {
	h       core.RequestHeader
	payload []byte
	dist    Dist
}

// sequence is the cycle of requests a workload sends, weights expanded and
// interleaved: a 9:1 mix sends one heavy request in every ten, spread out
// rather than in a clump. Each connection walks the cycle from its own
// offset so that connections do not send the same image at the same moment.
type sequence []request

// newSequence expands w with the images of lib.
func newSequence(w Workload, lib *Library) (sequence, error) {
	type kind struct {
		reqs   []request
		weight int
	}
	kinds := make([]kind, len(w))
	for i, j := range w {
		k := kind{weight: max(j.Weight, 1)}
		if j.Op.IsImage() {
			imgs, err := lib.Select(j.Images)
			if err != nil {
				return nil, err
			}
			for _, img := range imgs {
				k.reqs = append(k.reqs, request{h: j.Header(), payload: img.Data})
			}
		} else {
			k.reqs = []request{{h: j.Header(), dist: j.Dist}}
		}
		kinds[i] = k
	}
	// One cycle holds every image of every kind equally often, in
	// proportion to the weights: kind i appears weight_i * rounds times,
	// a multiple of its image count.
	rounds := 1
	for _, k := range kinds {
		n := len(k.reqs)
		rounds = lcm(rounds, n/gcd(n, k.weight))
	}
	total := 0
	for _, k := range kinds {
		total += k.weight * rounds
	}
	// Smooth weighted round robin: each step, every kind gains its weight,
	// the richest is sent and pays the total.
	credit := make([]int, len(kinds))
	next := make([]int, len(kinds))
	seq := make(sequence, 0, total)
	for range total {
		best := 0
		for i, k := range kinds {
			credit[i] += k.weight
			if credit[i] > credit[best] {
				best = i
			}
		}
		credit[best] -= sumWeights(kinds, func(k kind) int { return k.weight })
		k := kinds[best]
		seq = append(seq, k.reqs[next[best]%len(k.reqs)])
		next[best]++
	}
	return seq, nil
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func lcm(a, b int) int { return a / gcd(a, b) * b }

func sumWeights[K any](ks []K, weight func(K) int) int {
	n := 0
	for _, k := range ks {
		n += weight(k)
	}
	return n
}

// at returns the i-th request of the cycle.
func (s sequence) at(i int) request { return s[i%len(s)] }
