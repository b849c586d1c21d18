package fuzzmin

import (
	"flag"
	"testing"
	"time"
)

func TestBoundSetsTheFlag(t *testing.T) {
	f := flag.Lookup("test.fuzzminimizetime")
	if f == nil {
		t.Fatal("test binary without -test.fuzzminimizetime")
	}
	old := f.Value.String()
	defer flag.Set("test.fuzzminimizetime", old)
	if err := Bound(1500 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if got := f.Value.String(); got != "1.5s" {
		t.Fatalf("-test.fuzzminimizetime = %q, want 1.5s", got)
	}
}
