package report

import (
	"math"
	"slices"
)

// Shift is how a sample compares with a baseline as a ratio, with a
// confidence interval: the Hodges-Lehmann estimate and the Mann-Whitney
// interval of the shift between the two samples' logarithms. A benchstat
// "~" only says that noise could explain a difference; an interval says
// how large a difference the data still allow, which is what a claim such
// as "costs nothing, within 10%" needs.
type Shift struct {
	// OK is false when the interval cannot be had: a sample with a value
	// of 0 or less, or too few values for any interval at the confidence
	// asked (3 against 3 cannot reach 95%).
	OK bool
	// Ratio is the median of every ratio of a value to a baseline value;
	// Lo and Hi bound the interval.
	Ratio, Lo, Hi float64
	// Confidence is the interval's exact coverage, at least the level
	// asked for: the U statistic is discrete.
	Confidence float64
}

// ShiftOf compares values with base at the given confidence level (0.95).
// Neither slice is modified.
//
// The nm differences log(v) - log(b) are sorted; their median is the
// estimate, and the interval runs from the Cth to the (nm+1-C)th, where C
// is the largest count with P(U < C) <= (1-confidence)/2 under the
// Mann-Whitney U statistic's exact null distribution (Hollander and Wolfe,
// Nonparametric Statistical Methods, 4.3). It assumes the two samples
// differ by a factor, which suits latencies and rates.
func ShiftOf(values, base []float64, confidence float64) Shift {
	if slices.ContainsFunc(values, nonPositive) || slices.ContainsFunc(base, nonPositive) {
		return Shift{}
	}
	return asRatio(DifferenceOf(logs(values), logs(base), confidence))
}

// logs returns the natural logarithms of values.
func logs(values []float64) []float64 {
	out := make([]float64, len(values))
	for i, v := range values {
		out[i] = math.Log(v)
	}
	return out
}

// PairedShiftOf compares values[i] with base[i], each pair measured in the
// same repetition, at the given confidence level: the Hodges-Lehmann
// estimate and the Wilcoxon signed-rank interval of the logarithms of the
// ratios. Pairing takes out what drifts between repetitions, such as the
// machine's speed, when both cells of a pair run close together; it needs
// the slices to have the same length, and returns a Shift that is not OK
// otherwise.
//
// The n(n+1)/2 averages of every two log ratios (a ratio with itself
// included) are sorted; their median is the estimate, and the interval
// runs from the Cth to the (N+1-C)th, where C is the largest count with
// P(T < C) <= (1-confidence)/2 under the signed-rank statistic's exact
// null distribution (Hollander and Wolfe, Nonparametric Statistical
// Methods, 3.2).
func PairedShiftOf(values, base []float64, confidence float64) Shift {
	n := len(values)
	if n == 0 || n != len(base) || slices.ContainsFunc(values, nonPositive) || slices.ContainsFunc(base, nonPositive) {
		return Shift{}
	}
	l := make([]float64, n)
	for i := range values {
		l[i] = math.Log(values[i]) - math.Log(base[i])
	}
	w := make([]float64, 0, n*(n+1)/2)
	for i := range l {
		for j := i; j < n; j++ {
			w = append(w, (l[i]+l[j])/2)
		}
	}
	return asRatio(intervalFrom(w, signedRankCDF(n), confidence))
}

// asRatio turns a shift between logarithms into one between the values
// themselves: a ratio and its interval.
func asRatio(sh Shift) Shift {
	if sh.OK {
		sh.Ratio, sh.Lo, sh.Hi = math.Exp(sh.Ratio), math.Exp(sh.Lo), math.Exp(sh.Hi)
	}
	return sh
}

// DifferenceOf is ShiftOf without the logarithms, for samples that may
// hold 0: the Hodges-Lehmann estimate and the Mann-Whitney interval of the
// difference values - base, in a Shift whose Ratio, Lo and Hi are
// differences, not ratios (a Hi below 0 shows values lower).
func DifferenceOf(values, base []float64, confidence float64) Shift {
	n, m := len(values), len(base)
	if n == 0 || m == 0 {
		return Shift{}
	}
	d := make([]float64, 0, n*m)
	for _, v := range values {
		for _, b := range base {
			d = append(d, v-b)
		}
	}
	return intervalFrom(d, uCDF(n, m), confidence)
}

// intervalFrom reads the median and interval off the sorted differences d
// (it sorts them) whose count below the true shift has the null
// distribution cdf.
func intervalFrom(d, cdf []float64, confidence float64) Shift {
	slices.Sort(d)
	alpha := (1 - confidence) / 2
	c := 0 // P(T <= c-1) = cdf[c-1] <= alpha
	for c < len(cdf) && cdf[c] <= alpha {
		c++
	}
	if c == 0 {
		return Shift{}
	}
	mid := len(d) / 2
	est := d[mid]
	if len(d)%2 == 0 {
		est = (d[mid-1] + d[mid]) / 2
	}
	return Shift{
		OK:         true,
		Ratio:      est,
		Lo:         d[c-1],
		Hi:         d[len(d)-c],
		Confidence: 1 - 2*cdf[c-1],
	}
}

// signedRankCDF returns P(T <= t) for t = 0..n(n+1)/2, T the Wilcoxon
// signed-rank statistic of n pairs with no ties or zeros, under the null
// hypothesis: the number of subsets of the ranks 1..n summing to t, over
// the 2^n subsets.
func signedRankCDF(n int) []float64 {
	top := n * (n + 1) / 2
	ways := make([]float64, top+1)
	ways[0] = 1
	for r := 1; r <= n; r++ {
		for t := top; t >= r; t-- {
			ways[t] += ways[t-r]
		}
	}
	total, sum := math.Exp2(float64(n)), 0.0
	for t, w := range ways {
		sum += w
		ways[t] = sum / total
	}
	return ways
}

func nonPositive(v float64) bool { return !(v > 0) }

// uCDF returns P(U <= u) for u = 0..nm, U the Mann-Whitney statistic of
// samples of n and m with no ties, under the null hypothesis: the number
// of the C(n+m, n) orderings with u inversions, over their total.
func uCDF(n, m int) []float64 {
	// ways[j][u]: orderings of i values and j base values with u pairs
	// where the value comes after the base value, built up over i.
	ways := make([][]float64, m+1)
	for j := range ways {
		ways[j] = make([]float64, n*m+1)
		ways[j][0] = 1 // i = 0: one ordering, no pairs
	}
	for i := 1; i <= n; i++ {
		next := make([][]float64, m+1)
		for j := range next {
			next[j] = make([]float64, n*m+1)
			for u := range next[j] {
				// The largest of the i+j is a value (u counts its j
				// pairs) or a base value (it adds none).
				if u >= j {
					next[j][u] += ways[j][u-j]
				}
				if j > 0 {
					next[j][u] += next[j-1][u]
				}
			}
		}
		ways = next
	}
	cdf := ways[m]
	total := 0.0
	for _, w := range cdf {
		total += w
	}
	sum := 0.0
	for u, w := range cdf {
		sum += w
		cdf[u] = sum / total
	}
	return cdf
}
