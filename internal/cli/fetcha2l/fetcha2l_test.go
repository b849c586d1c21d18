package fetcha2l

import (
	"strings"
	"testing"

	"goxcp/internal/cli/cmdutil"
)

func TestOptions(t *testing.T) {
	tests := []struct {
		args []string
		want string
		err  string
	}{
		{nil, "", ""},
		{[]string{"-o", "x.a2l"}, "x.a2l", ""},
		{[]string{"--output=y.a2l"}, "y.a2l", ""},
		{[]string{"extra"}, "", "takes no arguments"},
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
			if err != nil || got.Output != tt.want {
				t.Fatalf("got %+v, %v; want output %q", got, err, tt.want)
			}
		})
	}
}
