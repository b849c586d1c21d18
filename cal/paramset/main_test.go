package paramset_test

import (
	"testing"

	"github.com/goxcp/goxcp/internal/fuzzmin"
)

// TestMain bounds the fuzzer's minimisation of each new input to a second
// (fuzzmin): minimising each for the default minute kept the fuzz targets
// here from fuzzing.
func TestMain(m *testing.M) { fuzzmin.Main(m) }
