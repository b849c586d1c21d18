package xmraw_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/internal/fuzzmin"
)

// TestMain checks for leaked goroutines and bounds the fuzzer's
// minimisation of each new input to a second (fuzzmin).
func TestMain(m *testing.M) {
	if err := fuzzmin.Bound(time.Second); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	goleak.VerifyTestMain(m)
}
