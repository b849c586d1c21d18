package xmraw_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/internal/fuzzmin"
)

// TestMain checks for leaked goroutines and bounds the fuzzer's
// minimisation of each new input to a second (fuzzmin).
func TestMain(m *testing.M) {
	fuzzmin.MustBound()
	goleak.VerifyTestMain(m)
}
