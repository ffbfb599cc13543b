package harness_test

import (
	"flag"
	"fmt"
	"testing"

	"go.uber.org/goleak"

	"github.com/tcpimg/tcpimg/harness"
)

// TestMain makes -benchtime default to 1x: one iteration of
// BenchmarkScenario is a whole scenario run of fixed length, so the
// framework's usual search for b.N (run again and again until a second has
// passed) would only repeat runs and multiply the time `-count 10` takes.
// An explicit -benchtime still wins.
func TestMain(m *testing.M) {
	flag.Parse()
	benchtimeSet := false
	flag.Visit(func(f *flag.Flag) { benchtimeSet = benchtimeSet || f.Name == "test.benchtime" })
	if !benchtimeSet {
		flag.Set("test.benchtime", "1x")
	}
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		// A configuration line for benchstat, as go test prints goos and
		// cpu. An isolated server's workers follow its own CPUs.
		srv := harness.MatrixServer()
		if iso, err := isolation(); err == nil && iso != nil {
			srv.Workers = len(iso.ServerCPUs)
		}
		fmt.Printf("server: %s\n", srv)
	}
	goleak.VerifyTestMain(m)
}
