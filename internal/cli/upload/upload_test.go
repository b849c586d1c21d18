package upload

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goxcp/goxcp/internal/cli/clitest"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
)

func TestOptions(t *testing.T) {
	tests := []struct {
		args []string
		tty  bool
		want Options
		err  string
	}{
		{[]string{"0x1000", "16"}, false, Options{Addr: 0x1000, Len: 16, Format: "hex"}, ""},
		{[]string{"4096", "0x10", "--ext", "3", "--json"}, false, Options{Addr: 0x1000, Len: 16, Ext: 3, Format: "hex", JSON: true}, ""},
		{[]string{"0xFFFFFFF0", "16", "--format", "raw"}, false, Options{Addr: 0xFFFFFFF0, Len: 16, Format: "raw"}, ""},
		{[]string{"0xFFFFFFF0", "17"}, false, Options{}, "runs past the 32-bit address space"},
		{[]string{"0x1000", "0"}, false, Options{}, "LEN must be at least 1"},
		{[]string{"0x1000"}, false, Options{}, "needs 2 argument(s) ADDR LEN, got 1"},
		{[]string{"0x1000", "4", "--ext", "256"}, false, Options{}, `invalid argument "256" for "--ext"`},
		{[]string{"0x1000", "4", "--format", "raw"}, true, Options{}, "refusing to write binary data to a terminal"},
		{[]string{"0x1000", "4", "--format", "raw", "--json"}, false, Options{}, "exclude each other"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, _, _ := cmdutil.Test()
			ios.SetTerminal(tt.tty)
			got, err := clitest.ParseIO(ios, newCmd, tt.args)
			if tt.err != "" {
				clitest.WantUsageError(t, err, tt.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(Options{}, "IO", "Connect", "Printer")); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
