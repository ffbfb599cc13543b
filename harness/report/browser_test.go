package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// browserPath returns the headless browser the page is checked in. Without
// one the test skips, so that go test passes on a fresh machine, except
// under CI (CI=true), which installs chromium and must check the page.
func browserPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("chromium not found (%v): CI must check the page in a browser; .ci/run installs it", err)
	}
	t.Skipf("chromium not found (%v): the page is not checked in a browser (install chromium, as .ci/run does)", err)
	return ""
}

// startBrowser starts a headless browser that keeps nothing and fetches
// nothing of its own, and returns a context for its first tab. The
// browser is closed, and its process waited for, before the test ends, so
// that the leak check finds none of chromedp's goroutines.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(browserPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where the sandbox cannot start
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// Containers often have a small /dev/shm, which crashes tabs.
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		// Close the browser gracefully, then wait for its process.
		closeCtx, closeCancel := context.WithTimeout(bctx, 10*time.Second)
		defer closeCancel()
		if err := chromedp.Cancel(closeCtx); err != nil {
			t.Logf("closing the browser: %v", err)
		}
		bcancel()
		acancel()
		cancel()
	})
	require.NoError(t, chromedp.Do(bctx), "starting %s", browserPath(t))
	return bctx
}

// snapshot is what the page shows, as the browser laid it out.
type snapshot struct {
	Title    string      `json:"title"`
	Cells    []cellShown `json:"cells"`
	SVGs     []sizeShown `json:"svgs"`
	Unsteady int         `json:"unsteady"`
	Legend   string      `json:"legend"`
	Capacity string      `json:"capacity"`
	Mode     string      `json:"mode"`
	Plots    []string    `json:"plots"`
	Links    []string    `json:"links"`
	External []string    `json:"external"`
	Picks    []pickShown `json:"picks"`
}

type pickShown struct {
	Scenario string   `json:"scenario"`
	Pick     string   `json:"pick"`
	Text     string   `json:"text"`
	Then     []string `json:"then"`
	Out      []string `json:"out"`
}

type cellShown struct {
	Unit       string `json:"unit"`
	Scenario   string `json:"scenario"`
	Strategy   string `json:"strategy"`
	Class      string `json:"class"`
	Text       string `json:"text"`
	Background string `json:"background"`
}

type sizeShown struct {
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
}

const snapshotJS = `(() => {
	const dd = key => [...document.querySelectorAll('.conditions dt')].find(dt => dt.textContent === key)?.nextElementSibling?.innerText ?? '';
	return {
		title: document.querySelector('h1').innerText,
		cells: [...document.querySelectorAll('table.grid td.cell')].map(c => ({
			unit: c.closest('table').dataset.unit,
			scenario: c.dataset.scenario,
			strategy: c.dataset.strategy,
			class: [...c.classList].filter(k => k !== 'cell').join(' '),
			text: c.innerText,
			background: getComputedStyle(c).backgroundColor,
		})),
		svgs: [...document.querySelectorAll('figure svg')].map(s => {
			const r = s.getBoundingClientRect();
			return {width: r.width, height: r.height};
		}),
		unsteady: document.querySelectorAll('td.cell .mark.unsteady').length,
		legend: document.querySelector('.legend').innerText,
		capacity: dd('capacity'),
		mode: dd('mode'),
		plots: [...document.querySelectorAll('figure')].map(f => f.id),
		links: [...document.querySelectorAll('ul.files a')].map(a => a.getAttribute('href')),
		external: performance.getEntriesByType('resource').map(e => e.name),
		picks: [...document.querySelectorAll('#picks + p + table.picks tbody tr')].map(r => ({
			scenario: r.dataset.scenario,
			pick: r.querySelector('td.pick')?.dataset.strategy ?? '',
			text: r.querySelector('td.pick')?.innerText ?? '',
			then: [...r.querySelectorAll('td.then li')].map(li => li.dataset.strategy),
			out: [...r.querySelectorAll('td.out > span')].map(s => s.dataset.strategy),
		})),
	};
})()`

// load opens url in the tab of ctx, reads what the page shows, and
// returns it with the errors the page reported: console.error calls,
// uncaught exceptions and the browser's own error log.
func load(t *testing.T, ctx context.Context, url string) (snapshot, []string) {
	t.Helper()
	messages := chromedp.Console(ctx)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(url)))
	snap, err := chromedp.Run(ctx, chromedp.Evaluate[snapshot](snapshotJS))
	require.NoError(t, err)
	// The console keeps order: once this line arrives, every message the
	// page wrote before it has been seen.
	const end = "report test: end of page"
	require.NoError(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`console.log(`+"`"+end+"`"+`)`)))
	var errs []string
	for m, err := range messages {
		require.NoError(t, err, "reading the console")
		if m.Text == end {
			break
		}
		if m.Type == chromedp.ConsoleError || m.IsException() {
			errs = append(errs, m.String())
		}
	}
	return snap, errs
}

func TestPageInBrowser(t *testing.T) {
	dir := writeFixture(t)
	path, err := WriteFile(dir, "")
	require.NoError(t, err)
	want, err := Load(dir)
	require.NoError(t, err)
	ctx := startBrowser(t)

	snap, errs := load(t, ctx, "file://"+path)

	assert.Empty(t, errs, "the page reports no errors")
	assert.Empty(t, snap.External, "the page fetches nothing")
	assert.Equal(t, "tcpimg matrix run 2026-12-01-abc1234", snap.Title)
	assert.Contains(t, snap.Capacity, "median 594/s, spread 2%")
	assert.Equal(t, "not recorded", snap.Mode)
	assert.Contains(t, snap.Legend, "failed the steady-state check")
	assert.Equal(t, []string{"plot-throughput"}, snap.Plots)
	assert.Equal(t, []string{RawFile, "benchstat.txt", ConditionsFile, RecordsDir + "/"}, snap.Links)

	require.Len(t, snap.SVGs, 1)
	assert.Greater(t, snap.SVGs[0].Width, 100.0, "the plot is laid out")
	assert.Greater(t, snap.SVGs[0].Height, 50.0, "the plot is laid out")

	// Every cell, with its class, text and a colour of its verdict's own.
	require.Len(t, snap.Cells, len(fixtureMetrics)*2*2)
	background := map[string]string{}
	for _, c := range snap.Cells {
		assert.Equal(t, fixtureClass(c.Unit, c.Scenario, c.Strategy), c.Class, "%s %s %s", c.Unit, c.Scenario, c.Strategy)
		gc := gridCell(t, want, c.Unit, c.Scenario, c.Strategy)
		assert.Contains(t, c.Text, gc.Median+" "+gc.CI)
		assert.Contains(t, c.Text, gc.Delta+" "+gc.P)
		if bg, ok := background[c.Class]; ok {
			assert.Equal(t, bg, c.Background, "every %s cell has the same colour", c.Class)
		}
		background[c.Class] = c.Background
	}
	assert.Len(t, background, 4, "base, better, worse and same cells: %v", background)
	seen := map[string]bool{}
	for class, bg := range background {
		assert.False(t, seen[bg], "%s cells share their colour with another verdict", class)
		seen[bg] = true
	}
	assert.Equal(t, len(fixtureMetrics), snap.Unsteady, "the unsteady cell is marked in every grid")
	assert.Contains(t, snap.Cells[1].Text, "202 ±∞\n+98.0% p=0.008")

	// Which strategy, where: in open-50 ants serves more at the same p99,
	// which is no reason to leave the baseline; in burst it serves less.
	require.Len(t, snap.Picks, 2, "a row per scenario")
	assert.Equal(t, pickShown{Scenario: "open-50", Pick: fixtureBase, Then: []string{fixtureOther}, Out: []string{}},
		pickShown{Scenario: snap.Picks[0].Scenario, Pick: snap.Picks[0].Pick, Then: snap.Picks[0].Then, Out: snap.Picks[0].Out})
	assert.Equal(t, pickShown{Scenario: "burst", Pick: fixtureBase, Then: []string{}, Out: []string{fixtureOther}},
		pickShown{Scenario: snap.Picks[1].Scenario, Pick: snap.Picks[1].Pick, Then: snap.Picks[1].Then, Out: snap.Picks[1].Out})
	assert.Equal(t, "chan-pool\np99 10.20 ms\ngoodput 102/s\nBUSY 0%", snap.Picks[0].Text)
}

// gridCell finds the cell the page model holds for unit, scenario and
// strategy.
func gridCell(t *testing.T, p *Page, unit, scenario, strategy string) GridCell {
	t.Helper()
	for _, g := range p.Grids {
		for _, r := range g.Rows {
			for _, c := range r.Cells {
				if g.Metric.Unit == unit && r.Scenario == scenario && c.Strategy == strategy {
					return c
				}
			}
		}
	}
	t.Fatalf("no cell %s %s %s", unit, scenario, strategy)
	return GridCell{}
}

// TestBrowserCheckSeesErrors makes sure that the error check of
// TestPageInBrowser can fail: a page that writes to console.error and
// throws is caught.
func TestBrowserCheckSeesErrors(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "broken.html")
	require.NoError(t, os.WriteFile(page, []byte(`<!DOCTYPE html><html><body><h1>broken</h1><table class="grid"></table><div class="legend"></div>`+
		`<script>console.error("report test: logged"); throw new Error("report test: thrown")</script></body></html>`), 0o644))
	ctx := startBrowser(t)

	_, errs := load(t, ctx, "file://"+page)

	require.Len(t, errs, 2, "%q", errs)
	assert.True(t, strings.HasPrefix(errs[0], "error: report test: logged"), errs[0])
	assert.Contains(t, errs[1], "report test: thrown")
}
