package harness

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/strategies"
)

// MatrixQueueSize is the job queue of the matrix's servers. It is smaller
// than the server's own default (core.DefaultQueueSize, 256) so that the
// overload scenarios, whose clients keep up to 512 requests in flight,
// fill it and the strategies' admission differs; at 256 every bounded pool
// would just queue, like the unbounded one.
const MatrixQueueSize = 64

// ServerConfig sets up the in-process server; every strategy of a matrix
// runs with the same one. Its sizes mean what they mean in
// strategies.PoolConfig: Workers 0 is GOMAXPROCS, and QueueSize is taken
// literally, 0 being no queue. [MatrixServer] is the matrix's.
type ServerConfig struct {
	// Workers is the pool's worker count; 0 means GOMAXPROCS.
	Workers int `json:"workers"`
	// QueueSize is the pool's queue capacity; 0 means none.
	QueueSize int `json:"queue_size"`
	// Admission is what a full pool does; the zero value answers BUSY.
	Admission core.Admission `json:"admission"`
	// Limiter names the connection limiter; "" means the server's default.
	Limiter string `json:"limiter"`
	// Admit names the admission limit in front of the pool; "" means none.
	Admit string `json:"admit"`
}

// resolved returns c with its defaults spelled out (Workers, Limiter,
// Admit), as a record of what a run used.
func (c ServerConfig) resolved() ServerConfig {
	if c.Workers == 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.Limiter == "" {
		c.Limiter = strategies.DefaultLimiter
	}
	if c.Admit == "" {
		c.Admit = strategies.DefaultAdmit
	}
	return c
}

// MatrixServer is the server configuration the matrix runs every strategy
// with: GOMAXPROCS workers, a queue of MatrixQueueSize, BUSY when full.
func MatrixServer() ServerConfig { return ServerConfig{QueueSize: MatrixQueueSize} }

// spec is the strategies.Spec of a run of strategy on this configuration.
func (c ServerConfig) spec(strategy string) strategies.Spec {
	return strategies.Spec{
		Pool:       strategy,
		Limiter:    c.Limiter,
		Admit:      c.Admit,
		PoolConfig: strategies.PoolConfig{Workers: c.Workers, QueueSize: c.QueueSize},
	}
}

// String describes the configuration in one line, for result headers.
func (c ServerConfig) String() string {
	c = c.resolved()
	return fmt.Sprintf("workers=%d queue=%d admission=%s limiter=%s admit=%s", c.Workers, c.QueueSize, c.Admission, c.Limiter, c.Admit)
}

// Runner runs scenarios against a server it starts in this process, on
// 127.0.0.1:0, built from the strategy registry by name, once per run and
// shut down after it, so that each run starts clean and its leaks can be
// counted.
//
// Capacity: a scenario with RateOfCapacity runs at a fraction of one
// capacity for every strategy, the median goodput of the latest
// CalibrationRuns CalibrationScenario runs in this Runner against the
// default strategy (strategies.DefaultPool), so that at open-90 every
// strategy meets the same offered load and their latencies compare. Every
// such run, the matrix's own saturate cell included, refreshes it; until
// there are CalibrationRuns of them, the Runner makes more first. So within
// one benchmark process the open loops use the capacity measured minutes
// earlier on the same machine, and each process (each repetition of
// scripts/run-matrix.sh) measures its own. FreshCapacity measures it anew
// before every such run. PerStrategyCapacity scales each strategy by its
// own saturate runs instead.
//
// A Runner is safe for use by one goroutine at a time.
type Runner struct {
	// Server sets up the server of every run whose scenario does not set
	// its own (Scenario.Server); the matrix uses MatrixServer(). Its zero
	// value has no queue.
	Server ServerConfig
	// Images supplies the payloads; nil means LoadLibrary(FindImageDir()),
	// loaded on first use.
	Images *Library
	// Short runs every scenario through [Short]; Scale, when not 0 or 1,
	// through [Scale] (after Short).
	Short bool
	Scale float64
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
	// PerStrategyCapacity runs each strategy's open loops at fractions of
	// its own capacity rather than the default strategy's.
	PerStrategyCapacity bool
	// FreshCapacity makes one more calibration run before every run scaled
	// by the capacity, so that it runs at the median of the latest
	// CalibrationRuns, all made seconds before it. On a shared machine the
	// server's speed drifts by a third over seconds to minutes (other
	// tenants' use of the memory bus slows image work), and a capacity
	// measured minutes earlier can label open-100 as open-120. A capacity
	// given with SetCapacity is not measured again.
	FreshCapacity bool
	// TLS, when not nil, runs every scenario over TLS, to measure what it
	// costs: the server gets TLS.Server, the load connections TLS.Client.
	TLS *TLS
	// Isolate, when not nil, runs the server of every run as a process of
	// its own on CPUs of its own (see Isolation), instead of in this
	// process.
	Isolate *Isolation

	mu       sync.Mutex
	capacity map[string][]float64 // latest calibration goodputs per strategy
	history  map[string][]float64 // every calibration goodput per strategy
	given    map[string]bool      // capacities set with SetCapacity
}

// TLS is the two sides of a TLS set-up; both are required.
type TLS struct {
	Server *tls.Config // the in-process server's core.Config.TLS
	Client *tls.Config // the load connections'
}

// CalibrationRuns is how many calibration runs a capacity is the median
// of. One short run varies by about ±8% here from the next; the median of
// three halves the chance that an open loop labelled open-120 really runs
// at open-100 or open-140.
const CalibrationRuns = 3

// Capacity returns the capacity in requests a second that scales the open
// loops of strategy (see Runner), running the calibration scenario until
// this Runner has CalibrationRuns measurements of it.
func (r *Runner) Capacity(ctx context.Context, strategy string) (float64, error) {
	if !r.PerStrategyCapacity {
		strategy = strategies.DefaultPool
	}
	for {
		est := r.CapacityEstimate(strategy)
		if est.N >= CalibrationRuns {
			return est.Median, nil
		}
		s, err := Lookup(CalibrationScenario)
		if err != nil {
			return 0, err
		}
		res, err := r.Run(ctx, s, strategy)
		if err != nil {
			return 0, fmt.Errorf("calibration: %w", err)
		}
		if res.Goodput() <= 0 {
			return 0, fmt.Errorf("%w: %s on %s answered nothing OK", ErrNoCapacity, s.Name, strategy)
		}
	}
}

// CapacityEstimate is a capacity and how well it is known.
type CapacityEstimate struct {
	Median float64 // requests a second
	// Spread is (max - min) / median of the runs behind Median.
	Spread float64
	// N is the number of calibration runs behind it.
	N int
}

// CapacityEstimate returns the capacity of strategy from its latest
// CalibrationRuns calibration runs in this Runner (N is 0 when there were
// none).
func (r *Runner) CapacityEstimate(strategy string) CapacityEstimate {
	r.mu.Lock()
	runs := slices.Clone(r.capacity[strategy])
	r.mu.Unlock()
	return EstimateCapacity(runs)
}

// EstimateCapacity returns the median of the calibration goodputs runs and
// their spread; it sorts runs.
func EstimateCapacity(runs []float64) CapacityEstimate {
	if len(runs) == 0 {
		return CapacityEstimate{}
	}
	slices.Sort(runs)
	est := CapacityEstimate{Median: runs[len(runs)/2], N: len(runs)}
	if len(runs)%2 == 0 {
		est.Median = (runs[len(runs)/2-1] + runs[len(runs)/2]) / 2
	}
	est.Spread = (runs[len(runs)-1] - runs[0]) / est.Median
	return est
}

// SetCapacity records a strategy's capacity as if CalibrationRuns
// calibration runs had each measured it, and marks it as given: not
// measured again with FreshCapacity, nor kept in CalibrationHistory.
func (r *Runner) SetCapacity(strategy string, perSecond float64) {
	r.mu.Lock()
	if r.given == nil {
		r.given = make(map[string]bool)
	}
	r.given[strategy] = true
	r.mu.Unlock()
	for range CalibrationRuns {
		r.addCalibration(strategy, perSecond)
	}
}

// CalibrationHistory returns the goodput of every calibration run this
// Runner made against strategy, oldest first; none for a strategy whose
// capacity was given with SetCapacity.
func (r *Runner) CalibrationHistory(strategy string) []float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.history[strategy])
}

// recalibrate makes one calibration run against strategy, unless its
// capacity was given.
func (r *Runner) recalibrate(ctx context.Context, strategy string) error {
	r.mu.Lock()
	given := r.given[strategy]
	r.mu.Unlock()
	if given {
		return nil
	}
	s, err := Lookup(CalibrationScenario)
	if err != nil {
		return err
	}
	res, err := r.Run(ctx, s, strategy)
	if err != nil {
		return fmt.Errorf("calibration: %w", err)
	}
	if res.Goodput() <= 0 {
		return fmt.Errorf("%w: %s on %s answered nothing OK", ErrNoCapacity, s.Name, strategy)
	}
	return nil
}

// addCalibration records one calibration run's goodput, keeping the latest
// CalibrationRuns, and every one in the history unless the strategy's
// capacity was given.
func (r *Runner) addCalibration(strategy string, perSecond float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.capacity == nil {
		r.capacity = make(map[string][]float64)
		r.history = make(map[string][]float64)
	}
	if !r.given[strategy] {
		r.history[strategy] = append(r.history[strategy], perSecond)
	}
	runs := append(r.capacity[strategy], perSecond)
	r.capacity[strategy] = runs[max(len(runs)-CalibrationRuns, 0):]
}

// Run runs s once against a fresh server running the pool strategy named
// strategy, and returns what the load generator and the server measured.
// A strategy may name an admission limit too, as POOL+ADMIT (chan-pool+aimd):
// it replaces the configuration's Admit.
func (r *Runner) Run(ctx context.Context, s Scenario, strategy string) (*Metrics, error) {
	if r.Short {
		s = Short(s)
	}
	s = Scale(s, r.Scale)
	if err := s.Validate(); err != nil {
		return nil, err
	}
	var capacity CapacityEstimate
	if s.Loop == OpenLoop && s.RateOfCapacity > 0 {
		calibrated := strategies.DefaultPool
		if r.PerStrategyCapacity {
			calibrated = strategy
		}
		if r.FreshCapacity {
			if err := r.recalibrate(ctx, calibrated); err != nil {
				return nil, err
			}
		}
		if _, err := r.Capacity(ctx, strategy); err != nil {
			return nil, err
		}
		capacity = r.CapacityEstimate(calibrated)
	}
	lib, err := r.library()
	if err != nil {
		return nil, err
	}
	var serverTLS, clientTLS *tls.Config
	if r.TLS != nil {
		if r.TLS.Server == nil || r.TLS.Client == nil {
			return nil, errors.New("harness: Runner.TLS needs both its Server and its Client config")
		}
		serverTLS, clientTLS = r.TLS.Server, r.TLS.Client
	}

	cfg := r.Server
	if s.Server != nil {
		cfg = *s.Server
	}
	pool, admit, withAdmit := strings.Cut(strategy, "+")
	if withAdmit {
		cfg.Admit = admit
	}
	var res *Metrics
	if r.Isolate != nil {
		if clientTLS != nil {
			return nil, errors.New("harness: an isolated run cannot use Runner.TLS; its server takes TLS from files")
		}
		cfg = r.Isolate.resolve(cfg)
		res, err = r.runIsolated(ctx, s, pool, cfg, capacity.Median, lib)
	} else {
		cfg = cfg.resolved()
		res, err = r.runInProcess(ctx, s, pool, cfg, serverTLS, clientTLS, capacity.Median, lib)
	}
	if res == nil {
		return nil, err
	}
	res.Strategy = strategy
	res.CapacitySpread = capacity.Spread
	res.ServerConfig = &cfg
	if err != nil {
		return res, err
	}
	if s.Name == CalibrationScenario && res.Goodput() > 0 {
		r.addCalibration(strategy, res.Goodput())
	}
	return res, nil
}

// runInProcess runs s against a server in this process, on cfg (resolved).
func (r *Runner) runInProcess(ctx context.Context, s Scenario, pool string, cfg ServerConfig, serverTLS, clientTLS *tls.Config, capacity float64, lib *Library) (*Metrics, error) {
	// Start from a collected heap, so that one run's garbage does not count
	// in the next one's peak.
	runtime.GC()
	baseline := runtime.NumGoroutine()
	srv, ln, err := r.startServer(pool, cfg, serverTLS)
	if err != nil {
		return nil, err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	samples := startSampler()
	var occ *occupancy
	if s.Model != nil {
		occ = startOccupancy(srv, s.Seed)
	}

	gen := &Generator{Dial: DialTLS(ln.Addr().String(), clientTLS), Images: lib, QueueSize: cfg.QueueSize}
	res, genErr := gen.Run(ctx, s, capacity)
	if occ != nil {
		occ.end()
		if res != nil && res.Model != nil {
			res.Model.Occupancy, res.Model.OccupancySamples = occ.mean(res.Start, res.Start.Add(res.Elapsed))
		}
	}

	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultDrainTimeout)
	shutdownErr := srv.Shutdown(sctx)
	cancel()
	if shutdownErr != nil {
		srv.Close()
	}
	if err := <-served; !errors.Is(err, core.ErrServerClosed) {
		shutdownErr = errors.Join(shutdownErr, err)
	}
	series, peakG, peakHeap := samples.stop()
	leaked := settle(baseline, time.Second)

	if res == nil {
		return nil, errors.Join(genErr, shutdownErr)
	}
	res.TLS = clientTLS != nil
	res.InProcess = true
	res.Series, res.PeakGoroutines, res.PeakHeap = series, peakG, peakHeap
	res.Leaked = leaked
	res.Server = srv.Stats()
	return res, errors.Join(genErr, shutdownErr)
}

// startServer builds the server for strategy on cfg, serving TLS with a
// non-nil tlsCfg, and its listener.
func (r *Runner) startServer(strategy string, cfg ServerConfig, tlsCfg *tls.Config) (*core.Server, net.Listener, error) {
	log := r.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv, err := strategies.NewServer(cfg.spec(strategy), core.Config{Admission: cfg.Admission, TLS: tlsCfg, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return srv, ln, nil
}

// library returns the image library, loading the default one once.
func (r *Runner) library() (*Library, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Images != nil {
		return r.Images, nil
	}
	dir, err := FindImageDir()
	if err != nil {
		return nil, err
	}
	lib, err := LoadLibrary(dir)
	if err != nil {
		return nil, err
	}
	r.Images = lib
	return lib, nil
}

// settle waits up to within for the goroutine count to fall back to
// baseline, and returns how many goroutines remain above it. Goroutines
// that are ending when Shutdown returns (a connection's last close, say)
// get that long to finish before they count as leaked.
func settle(baseline int, within time.Duration) int {
	deadline := time.Now().Add(within)
	for {
		n := runtime.NumGoroutine()
		if n <= baseline || time.Now().After(deadline) {
			return max(n-baseline, 0)
		}
		time.Sleep(time.Millisecond)
	}
}
