package dbg

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/protocol/swdbg"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOptions(t *testing.T) {
	tests := []struct {
		args  []string
		check func(*Options) bool
		err   string
	}{
		{[]string{"read", "0x70000000", "16", "--tri", "1", "--ew", "2"}, func(o *Options) bool { return o.Addr == 0x70000000 && o.Len == 16 && o.TRI == 1 && o.EW == 2 }, ""},
		{[]string{"write", "0x10", "01 02 03"}, func(o *Options) bool { return bytes.Equal(o.Data, []byte{1, 2, 3}) && o.EW == 4 }, ""},
		{[]string{"rmw", "0x10", "0xFF", "0x12", "--ew", "1"}, func(o *Options) bool { return o.Mask == 0xFF && o.Val == 0x12 }, ""},
		{[]string{"rmw", "0x10", "0x1FF", "0", "--ew", "1"}, nil, "out of range"},
		{[]string{"hwio", "--set", "0=low", "--set", "2=clock:1", "--event", "1=change"}, func(o *Options) bool {
			return len(o.Sets) == 2 && o.Sets[1] == swdbg.PinControl{Index: 2, State: swdbg.StateClock, Freq: 1} && o.Events[1] == swdbg.TriggerChange
		}, ""},
		{[]string{"hwio", "--set", "0=sideways"}, nil, "is not low, high"},
		{[]string{"hwio", "--set", "0=clock"}, nil, "needs a frequency"},
		{[]string{"jpl", "03 00 01 08 7F", "--tms-init"}, func(o *Options) bool { return len(o.Sequences) == 1 && o.Init == swdbg.SeqTMSInit }, ""},
		{[]string{"jpl", "05 00"}, nil, "unknown JPL command"},
		{[]string{"jpl"}, nil, "needs at least one"},
		{[]string{"llt", "0x1A:7:0x4B:16", "--single-lane"}, func(o *Options) bool {
			return len(o.Telegrams) == 1 && o.Telegrams[0].RespBits == 16 && o.Telegrams[0].Data[0] == 0x4B && o.SingleLane
		}, ""},
		{[]string{"llt", "0x1A:3:0x4B"}, nil, "does not fit"},
		{[]string{"read", "0x10"}, nil, "needs 2 argument(s)"},
		{[]string{"read", "0x10", "4", "--ew", "3"}, nil, "want 1, 2, 4 or 8"},
		{[]string{"attach", "x"}, nil, "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, _, _ := cmdutil.Test()
			var got *Options
			var sub string
			cmd := newCmd(cmdutil.New(ios), func(s string, o *Options) error { sub, got = s, o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SilenceErrors, cmd.SilenceUsage = true, true
			err := cmd.Execute()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want error %q", err, tt.err)
				}
				return
			}
			if err != nil || sub != tt.args[0] || !tt.check(got) {
				t.Fatalf("err %v, sub %q, opts %+v", err, sub, got)
			}
		})
	}
}

// runSim runs `xcp --sim dbg ARGS...` in process and returns stdout.
func runSim(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ios, _, out, _ := cmdutil.Test()
	f := cmdutil.New(ios)
	f.Global.Sim = true
	f.Getenv = func(string) string { return "" }
	cmd := NewCmd(f)
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestAgainstSimulator(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"attach"}, []string{"MAX_CTO_DBG", "1456", "JTAG (JPL)", "510 ms"}},
		{[]string{"info"}, []string{"goxcp simulator", "PORST", "Vref"}},
		{[]string{"jtag-id", "--scan"}, []string{"0x00112041", "IDCODE (JPL scan)"}},
		{[]string{"read", "0x70000000", "8"}, []string{"0x70000000  01 02 03 04 01 02 03 04"}},
		{[]string{"read", "0x70000001", "3", "--json"}, []string{`"data": "020304"`}},
		{[]string{"rmw", "0x70000000", "0xFF", "0x55"}, []string{"0x04030255"}},
		{[]string{"write", "0x70000002", "AA BB CC"}, []string{"3 bytes at 0x70000002"}},
		{[]string{"hwio", "--set", "2=clock:1"}, []string{"watchdog disable", "clock"}},
		{[]string{"jpl", "03 00 01 08 7F"}, []string{"executed successfully", "0x00000000"}},
	} {
		out, err := runSim(t, tc.args...)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Fatalf("%v: output lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
	if _, err := runSim(t, "read", "0xF8000000", "4"); err == nil || !strings.Contains(err.Error(), "ERR_DBG_BUS_ERROR") {
		t.Fatalf("bus error: %v", err)
	}
	if _, err := runSim(t, "llt", "0x0B:0:0"); err == nil || !strings.Contains(err.Error(), "ERR_CMD_UNKNOWN") {
		t.Fatalf("LLT on a JTAG target: %v", err)
	}
}
