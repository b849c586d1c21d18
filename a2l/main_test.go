package a2l_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The parse benchmarks run parsers on goroutines.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
