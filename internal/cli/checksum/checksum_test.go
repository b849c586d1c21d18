package checksum

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"goxcp/internal/cli/cmdutil"
)

func TestOptions(t *testing.T) {
	tests := []struct {
		args []string
		want Options
		err  string
	}{
		{[]string{"0x20000", "0x1000"}, Options{Addr: 0x20000, Len: 0x1000}, ""},
		{[]string{"0x20000", "256", "--ext", "2", "--json"}, Options{Addr: 0x20000, Len: 256, Ext: 2, JSON: true}, ""},
		{[]string{"0x20000"}, Options{}, "needs 2 argument(s)"},
		{[]string{"0x20000", "-1"}, Options{}, "unknown shorthand flag"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, _, _ := cmdutil.Test()
			var got *Options
			cmd := newCmd(cmdutil.New(ios), func(o *Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SilenceErrors, cmd.SilenceUsage = true, true
			err := cmd.Execute()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want error %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(Options{}, "Connect", "Printer")); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
