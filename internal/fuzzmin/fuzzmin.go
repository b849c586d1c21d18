// Package fuzzmin bounds how long the Go fuzzer minimises each new
// interesting input, for packages whose inputs are kilobytes or whose
// inputs each cost a session with a simulated slave. By default the fuzzer
// spends up to a minute minimising every input that reaches new code,
// which on such targets kept it minimising instead of fuzzing (tens of
// executions in 30 s). Call Bound from TestMain; an explicit
// -test.fuzzminimizetime on the command line wins.
package fuzzmin

import (
	"flag"
	"fmt"
	"os"
	"testing"
	"time"
)

// Bound parses the command line (if not parsed yet) and sets
// -test.fuzzminimizetime to d unless the command line gives it.
func Bound(d time.Duration) error {
	if !flag.Parsed() {
		flag.Parse()
	}
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.fuzzminimizetime" })
	if given {
		return nil
	}
	if flag.Lookup("test.fuzzminimizetime") == nil {
		return fmt.Errorf("fuzzmin: no -test.fuzzminimizetime flag: call Bound from TestMain of a test binary")
	}
	return flag.Set("test.fuzzminimizetime", d.String())
}

// MustBound is Bound(time.Second) for a TestMain: on error it says why and
// exits the test binary with status 2.
func MustBound() {
	if err := Bound(time.Second); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

// Main is a whole TestMain for a package with nothing else to set up: it
// bounds minimisation (MustBound) and runs the tests.
func Main(m *testing.M) {
	MustBound()
	os.Exit(m.Run())
}
