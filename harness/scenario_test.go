package harness_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tcpimg/tcpimg/core"
	"github.com/tcpimg/tcpimg/harness"
)

func TestScenariosValid(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range harness.Scenarios() {
		assert.NoError(t, s.Validate(), s.Name)
		assert.NoError(t, harness.Short(s).Validate(), "short %s", s.Name)
		assert.NotEmpty(t, s.Description, s.Name)
		assert.False(t, seen[s.Name], "duplicate %s", s.Name)
		seen[s.Name] = true
	}
	for _, name := range []string{"seed-70", "saturate", "open-50", "open-90", "open-120", "open-200",
		"burst", "slow-readers", "mixed-sizes", "cpu-bound", "io-bound"} {
		assert.True(t, seen[name], "scenario %s is in the table", name)
	}
	assert.Equal(t, harness.CalibrationScenario, harness.ScenarioNames()[1], "calibration runs before the open loops")
	for _, s := range harness.ModelScenarios() {
		assert.NoError(t, s.Validate(), s.Name)
		assert.NoError(t, harness.Short(s).Validate(), "short %s", s.Name)
		assert.False(t, seen[s.Name], "duplicate %s, or a model scenario in the matrix", s.Name)
		seen[s.Name] = true
		got, err := harness.Lookup(s.Name)
		assert.NoError(t, err, "Lookup finds %s", s.Name)
		assert.Equal(t, s, got)
	}
	assert.Equal(t, []string{"model-mm-50", "model-mm-80", "model-mm-90", "model-md-50", "model-md-80", "model-md-90"}, harness.ModelScenarioNames())
}

func TestScenarioValidate(t *testing.T) {
	noop := harness.Workload{{Op: core.OpNoop}}
	tests := []struct {
		name    string
		give    harness.Scenario
		wantErr string
	}{
		{"closed by duration", harness.Scenario{Name: "a", Duration: time.Second, Workload: noop}, ""},
		{"closed by jobs", harness.Scenario{Name: "a", Jobs: 3, Workload: noop}, ""},
		{"open at a rate", harness.Scenario{Name: "a", Loop: harness.OpenLoop, Rate: 10, Duration: time.Second, Workload: noop}, ""},
		{"open shaped", harness.Scenario{Name: "a", Loop: harness.OpenLoop, RateOfCapacity: 1, Shape: []harness.Phase{{For: time.Second, Load: 2}}, Workload: noop}, ""},
		{"no name", harness.Scenario{Duration: time.Second, Workload: noop}, "no name"},
		{"no length", harness.Scenario{Name: "a", Workload: noop}, "needs Duration or Jobs"},
		{"no rate", harness.Scenario{Name: "a", Loop: harness.OpenLoop, Duration: time.Second, Workload: noop}, "needs Rate"},
		{"no workload", harness.Scenario{Name: "a", Duration: time.Second}, "empty workload"},
		{"bad job", harness.Scenario{Name: "a", Duration: time.Second, Workload: harness.Workload{{Op: core.OpBlur}}}, "radius"},
		{"window over the server's", harness.Scenario{Name: "a", Inflight: 65, Duration: time.Second, Workload: noop}, "inflight"},
		{"slow readers over 1", harness.Scenario{Name: "a", SlowReaders: 2, Duration: time.Second, Workload: noop}, "slow readers"},
		{"empty phase", harness.Scenario{Name: "a", Loop: harness.OpenLoop, Rate: 1, Shape: []harness.Phase{{Load: 1}}, Workload: noop}, "shape phase"},
		{"drawn sleep", harness.Scenario{Name: "a", Duration: time.Second, Workload: harness.Workload{harness.SleepExp(time.Millisecond)}}, ""},
		{"drawn image", harness.Scenario{Name: "a", Duration: time.Second, Workload: harness.Workload{{Op: core.OpNoop, Dist: harness.Exponential}}}, "SPIN or SLEEP"},
		{"unknown arrivals", harness.Scenario{Name: "a", Loop: harness.OpenLoop, Rate: 1, Duration: time.Second, Arrivals: 9, Workload: noop}, "arrivals"},
		{"negative queue", harness.Scenario{Name: "a", Duration: time.Second, Server: &harness.ServerConfig{QueueSize: -1}, Workload: noop}, "negative workers or queue"},
		{"model without workers", harness.Scenario{Name: "a", Loop: harness.OpenLoop, Rate: 1, Duration: time.Second, Model: &harness.ModelCheck{Tolerance: 0.1}, Workload: noop}, "Server.Workers"},
		{"model of a closed loop", harness.Scenario{Name: "a", Duration: time.Second, Server: &harness.ServerConfig{Workers: 2}, Model: &harness.ModelCheck{Tolerance: 0.1}, Workload: noop}, "open loop"},
		{"model without tolerance", harness.Scenario{Name: "a", Loop: harness.OpenLoop, Rate: 1, Duration: time.Second, Server: &harness.ServerConfig{Workers: 2}, Model: &harness.ModelCheck{}, Workload: noop}, "tolerance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.give.Validate()
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, harness.ErrBadScenario)
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestLookup(t *testing.T) {
	s, err := harness.Lookup("burst")
	require.NoError(t, err)
	assert.Equal(t, "burst", s.Name)
	s.Shape[0].Load = 99
	again, err := harness.Lookup("burst")
	require.NoError(t, err)
	assert.NotEqual(t, 99.0, again.Shape[0].Load, "Lookup returns a copy")

	_, err = harness.Lookup("nope")
	assert.ErrorIs(t, err, harness.ErrBadScenario)
	assert.ErrorContains(t, err, "saturate", "the error lists the valid names")
}

func TestShortAndScale(t *testing.T) {
	s, err := harness.Lookup("burst")
	require.NoError(t, err)
	short := harness.Short(s)
	assert.LessOrEqual(t, short.Conns(), 4)
	assert.Equal(t, s.Measured()/10, short.Measured())
	assert.Equal(t, harness.TinyImages, short.Workload[0].Images)
	assert.Equal(t, 2*s.Measured(), harness.Scale(s, 2).Measured())
	assert.Equal(t, s.Measured(), s.Measured(), "Short and Scale leave their argument alone")

	seed, err := harness.Lookup("seed-70")
	require.NoError(t, err)
	assert.Equal(t, 70, seed.Conns())
	assert.Equal(t, 10, harness.Scale(seed, 2).Jobs)
}

func TestSequence(t *testing.T) {
	lib := &harness.Library{Images: []harness.Image{
		{Name: "big", Width: 2000, Height: 1500, Data: []byte("b")},
		{Name: "s1", Width: 100, Height: 100, Data: []byte("1")},
		{Name: "s2", Width: 100, Height: 100, Data: []byte("2")},
	}}
	small := harness.ImageSet{MaxPixels: 10_000}
	tests := []struct {
		name string
		give harness.Workload
		want []string
	}{
		{
			name: "one kind cycles its images",
			give: harness.Workload{harness.Thumbnail(small, 10, 10)},
			want: []string{"s1", "s2"},
		},
		{
			name: "weights interleave",
			give: harness.Workload{
				{Op: core.OpThumbnail, Images: small, Arg1: 10, Weight: 3},
				{Op: core.OpThumbnail, Images: harness.LargeImages, Arg1: 10, Weight: 1},
			},
			want: []string{"s1", "s2", "big", "s1", "s2", "s1", "big", "s2"},
		},
		{
			name: "ops without images",
			give: harness.Workload{harness.Spin(time.Millisecond), harness.Sleep(time.Millisecond)},
			want: []string{"spin", "sleep"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := harness.SequenceNames(tt.give, lib)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSequenceNoImages(t *testing.T) {
	lib := &harness.Library{Dir: "x", Images: []harness.Image{{Name: "s", Width: 1, Height: 1, Data: []byte("s")}}}
	_, err := harness.SequenceNames(harness.Workload{harness.Thumbnail(harness.LargeImages, 1, 1)}, lib)
	assert.ErrorIs(t, err, harness.ErrNoImages)
}
