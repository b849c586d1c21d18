package candrivers

import (
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/transport/can/canbus"
)

func TestTable(t *testing.T) {
	ios, _, out, _ := cmdutil.Test()
	f := cmdutil.New(ios)
	cmd := newCmd(f, func(o *Options) error {
		o.Drivers = func() []canbus.Driver {
			return []canbus.Driver{{Name: "socketcan", Detail: "no CAN sockets in this kernel", Channel: "can0"}, {Name: "udp", Available: true, Detail: "ok", Channel: "GROUP"}}
		}
		return run(o)
	})
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"socketcan  no      no CAN sockets in this kernel", "udp        yes     ok"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
