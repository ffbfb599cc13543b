package loadclient

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds: values are nanoseconds, kept to three significant
// digits from 1 µs up to the longest time the wire can report (its
// queue_us and service_us fields are 32-bit microseconds, about 71
// minutes); longer values are recorded as that maximum.
const (
	histLowest  = int64(time.Microsecond)
	histHighest = int64(math.MaxUint32) * int64(time.Microsecond)
	histDigits  = 3
)

// Histogram is a latency histogram in nanoseconds. It travels as JSON in
// HdrHistogram's compressed V2 encoding (the base64 "HISTF..." string that
// HdrHistogram's own tools read), so histograms written on several machines
// can be merged without loss.
type Histogram struct {
	*hdrhistogram.Histogram
}

// NewHistogram returns an empty histogram with the package's bounds.
func NewHistogram() Histogram {
	return Histogram{hdrhistogram.New(histLowest, histHighest, histDigits)}
}

// Record adds one duration, clamped into the histogram's range.
func (h Histogram) Record(d time.Duration) {
	v := min(max(int64(d), 0), histHighest)
	_ = h.RecordValue(v) // in range by construction
}

// Quantile returns the duration at quantile q (0..1); 0 when empty.
func (h Histogram) Quantile(q float64) time.Duration {
	if h.Histogram == nil || h.TotalCount() == 0 {
		return 0
	}
	return time.Duration(h.ValueAtQuantile(q * 100))
}

// Count returns the number of recorded values.
func (h Histogram) Count() int64 {
	if h.Histogram == nil {
		return 0
	}
	return h.TotalCount()
}

// Add merges o into h.
func (h Histogram) Add(o Histogram) {
	if o.Histogram != nil {
		h.Merge(o.Histogram)
	}
}

// MarshalJSON encodes the histogram in HdrHistogram's V2 compressed form.
func (h Histogram) MarshalJSON() ([]byte, error) {
	if h.Histogram == nil {
		return []byte("null"), nil
	}
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return nil, err
	}
	return json.Marshal(string(b))
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (h *Histogram) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == nil {
		h.Histogram = nil
		return nil
	}
	d, err := hdrhistogram.Decode([]byte(*s))
	if err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	h.Histogram = d
	return nil
}
