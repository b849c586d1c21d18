package fetcha2l

import (
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/clitest"
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
			got, err := clitest.Parse(newCmd, tt.args)
			if tt.err != "" {
				clitest.WantUsageError(t, err, tt.err)
				return
			}
			if err != nil || got.Output != tt.want {
				t.Fatalf("got %+v, %v; want output %q", got, err, tt.want)
			}
		})
	}
}
