// Package report renders a matrix run's results folder (see
// scripts/run-matrix.sh) as one self-contained HTML page, index.html, that
// reads at a glance what the folder's text files say at length.
//
// The page shows the run's conditions (every "key: value" line of raw.txt,
// and the machine's load from conditions.txt), then which strategy to
// pick in each scenario (see [Pick]), then one grid per main
// metric, scenarios down and strategies across, and the folder's SVG plots
// inline. Each cell holds the median of the repetitions with its 95%
// confidence interval and the change against the baseline strategy,
// coloured by the verdict of the Mann-Whitney U test at alpha 0.05: the
// statistics benchstat computes, from the same golang.org/x/perf packages,
// so that the page and benchstat.txt never disagree.
//
// Nothing on the page is fetched: the CSS is inline, the plots are inline
// SVG, and the only links are relative ones to the folder's own files, so
// the page can be mailed, archived or opened from a file system as it is.
package report
