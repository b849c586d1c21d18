package checksum

import (
	"strings"
	"testing"

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
		{[]string{"0x20000", "0x1000"}, Options{Addr: 0x20000, Len: 0x1000}, ""},
		{[]string{"0x20000", "256", "--ext", "2", "--json"}, Options{Addr: 0x20000, Len: 256, Ext: 2, JSON: true}, ""},
		{[]string{"0x20000"}, Options{}, "needs 2 argument(s)"},
		{[]string{"0x20000", "-1"}, Options{}, "unknown shorthand flag"},
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
			if d := cmp.Diff(tt.want, *got, cmpopts.IgnoreFields(Options{}, "Connect", "Printer")); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
