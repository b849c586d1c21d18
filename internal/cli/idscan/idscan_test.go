package idscan

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goxcp/goxcp/internal/cli/clitest"
)

func TestOptions(t *testing.T) {
	tests := []struct {
		args []string
		want Options
		err  string
	}{
		{nil, Options{Wait: 500 * time.Millisecond}, ""},
		{[]string{"--range", "0x700-0x7FF"}, Options{RangeSet: true, First: 0x700, Last: 0x7FF, Wait: 50 * time.Millisecond}, ""},
		{[]string{"--range", "0x80000100-0x80000110", "--wait", "5ms", "--json"}, Options{RangeSet: true, First: 0x80000100, Last: 0x80000110, Wait: 5 * time.Millisecond, JSON: true}, ""},
		{[]string{"--broadcast", "256"}, Options{Broadcast: 0x100, Wait: 500 * time.Millisecond}, ""},
		{[]string{"--range", "0x7FF-0x700"}, Options{}, "0x7FF-0x700 is empty or mixes"},
		{[]string{"--range", "0x700-0x80000800"}, Options{}, "is empty or mixes"},
		{[]string{"--range", "x-y"}, Options{}, `not a CAN identifier: "x"`},
		{[]string{"--broadcast", "0x40000000"}, Options{}, "exceeds 29 bits"},
		{[]string{"--wait", "-1s"}, Options{}, "--wait: must be positive"},
		{[]string{"extra"}, Options{}, "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := clitest.Parse(newCmd, tt.args)
			if tt.err != "" {
				clitest.WantError(t, err, tt.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(Options{}, "OpenBus", "Printer", "IO")); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
