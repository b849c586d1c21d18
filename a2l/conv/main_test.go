package conv_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/goxcp/goxcp/internal/fuzzmin"
)

// TestMain bounds the fuzzer's minimisation of each new input to a second
// (fuzzmin): minimising each for the default minute kept the fuzz targets
// here from fuzzing.
func TestMain(m *testing.M) {
	if err := fuzzmin.Bound(time.Second); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}
