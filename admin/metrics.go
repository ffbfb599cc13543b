package admin

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tcpimg/tcpimg/core"
)

// collector exports a server's counters to Prometheus. It reads one Stats
// snapshot per scrape, so the exported numbers are consistent with each
// other (jobs_accepted_total is the finished counters plus jobs_in_flight),
// and costs nothing between scrapes.
type collector struct {
	srv  *core.Server
	desc map[string]*prometheus.Desc
}

var metricHelp = map[string]string{
	"jobs_accepted_total":            "Requests the pool took.",
	"jobs_completed_total":           "Jobs that ran and were answered OK.",
	"jobs_failed_total":              "Jobs that ran and failed (BAD_REQUEST or INTERNAL).",
	"jobs_timed_out_total":           "Jobs whose deadline passed before they started.",
	"jobs_shed_total":                "Accepted jobs answered BUSY without running: the pool's queue refused them (CoDel).",
	"jobs_dropped_total":             "Jobs never run because their connection failed.",
	"jobs_in_flight":                 "Accepted jobs not finished yet (for a moment one low per connection: a job is counted accepted just after the pool takes it).",
	"requests_busy_total":            "Requests refused BUSY before the pool took them (load shed).",
	"requests_refused_total":         "Requests answered before queueing: bad, too large, unsupported, shutting down.",
	"panics_total":                   "Operations that panicked and were answered INTERNAL.",
	"connections":                    "Connections being served.",
	"connections_max":                "High-water mark of connections served at once.",
	"connections_total":              "Connections served in all.",
	"tls_handshakes_failed_total":    "TLS handshakes that failed or timed out, for any reason but the client's certificate.",
	"tls_client_certs_refused_total": "TLS clients refused for their certificate: none where one is required, or one that does not verify.",
	"pool_workers":                   "Workers of the pool (0 for a goroutine per job).",
	"pool_queued":                    "Jobs waiting in the pool's queue.",
	"pool_overloaded":                "1 while the pool's queue sheds jobs that waited past twice its target (codel, codel-lifo, demand-lifo), else 0.",
	"pool_demand":                    "Offered load over the last second: jobs offered times their mean service time, over the workers' time (demand-lifo; 0 for the others).",
	"admit_limit":                    "Jobs the admission limit (-admit) lets be admitted and unfinished at once, now.",
	"admit_in_flight":                "Jobs holding a slot of the admission limit.",
	"admit_refused_total":            "Requests refused BUSY at the admission limit (also counted in requests_busy_total).",
}

func newCollector(srv *core.Server) *collector {
	c := &collector{srv: srv, desc: map[string]*prometheus.Desc{}}
	for name, help := range metricHelp {
		c.desc[name] = prometheus.NewDesc("tcpimg_"+name, help, nil, nil)
	}
	return c
}

// Describe sends every metric's description.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.desc {
		ch <- d
	}
}

// Collect sends the current values.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	st := c.srv.Stats()
	counter := func(name string, v uint64) {
		ch <- prometheus.MustNewConstMetric(c.desc[name], prometheus.CounterValue, float64(v))
	}
	gauge := func(name string, v float64) {
		ch <- prometheus.MustNewConstMetric(c.desc[name], prometheus.GaugeValue, v)
	}
	counter("jobs_accepted_total", st.Accepted)
	counter("jobs_completed_total", st.Completed)
	counter("jobs_failed_total", st.Failed)
	counter("jobs_timed_out_total", st.TimedOut)
	counter("jobs_shed_total", st.Shed)
	counter("jobs_dropped_total", st.Dropped)
	gauge("jobs_in_flight", float64(st.InFlight))
	counter("requests_busy_total", st.Busy)
	counter("requests_refused_total", st.Refused)
	counter("panics_total", st.Panics)
	gauge("connections", float64(st.ConnsNow))
	gauge("connections_max", float64(st.ConnsMax))
	counter("connections_total", st.Conns)
	counter("tls_handshakes_failed_total", st.HandshakesFailed)
	counter("tls_client_certs_refused_total", st.CertsRefused)
	if ps, ok := c.srv.PoolStats(); ok {
		gauge("pool_workers", float64(ps.Workers))
		gauge("pool_queued", float64(ps.Queued))
		if o := ps.Overload; o != nil {
			overloaded := 0.0
			if o.Overloaded {
				overloaded = 1
			}
			gauge("pool_overloaded", overloaded)
			gauge("pool_demand", o.Demand)
		}
	}
	if as, ok := c.srv.AdmitStats(); ok {
		gauge("admit_limit", float64(as.Limit))
		gauge("admit_in_flight", float64(as.InFlight))
		counter("admit_refused_total", as.Refused)
	}
}
