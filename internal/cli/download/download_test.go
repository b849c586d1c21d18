package download

import (
	"bytes"
	"strings"
	"testing"

	"goxcp/internal/cli/cmdutil"
)

func TestOptions(t *testing.T) {
	tests := []struct {
		args []string
		want Options
		err  string
	}{
		{[]string{"0x100000", "01020304"}, Options{Addr: 0x100000, Data: []byte{1, 2, 3, 4}}, ""},
		{[]string{"0x100000", "01", "02", "0A:0B", "--ext", "1", "--verify"}, Options{Addr: 0x100000, Data: []byte{1, 2, 10, 11}, Ext: 1, Verify: true}, ""},
		{[]string{"0xFFFFFFFF", "0102"}, Options{}, "runs past the 32-bit address space"},
		{[]string{"0x1000"}, Options{}, "needs arguments ADDR HEX"},
		{[]string{"0x1000", "xyz0"}, Options{}, "not hex bytes"},
		{[]string{"zz", "00"}, Options{}, `ADDR "zz": not a number`},
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
				if err == nil || !strings.Contains(err.Error(), tt.err) || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
					t.Fatalf("got %v, want usage error %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Addr != tt.want.Addr || !bytes.Equal(got.Data, tt.want.Data) || got.Ext != tt.want.Ext || got.Verify != tt.want.Verify {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
		})
	}
}
