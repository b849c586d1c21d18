package pyxcp_test

import (
	"strings"
	"testing"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/config/pyxcp"
)

// TestConvert converts each pyXCP format directly (the command's own test,
// internal/cli/configcmd, covers many more keys end to end).
func TestConvert(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		opts pyxcp.Options
		// check inspects the loaded result
		check    func(c *config.Config) bool
		problems []string // Problem.String() prefixes, in order
		notes    int
	}{
		{"legacy CAN ids swapped like pyXCP", "[CAN]\nCAN_ID_MASTER = 0x7E0\nCAN_ID_SLAVE = 0x7E1\n", pyxcp.Options{},
			func(c *config.Config) bool {
				return c.Transport.Can.CanIDMaster == 0x7E1 && c.Transport.Can.CanIDSlave == 0x7E0
			}, nil, 2},
		{"legacy CAN ids kept", "[CAN]\nCAN_ID_MASTER = 0x7E0\nCAN_ID_SLAVE = 0x7E1\n", pyxcp.Options{KeepCANIDs: true},
			func(c *config.Config) bool {
				return c.Transport.Can.CanIDMaster == 0x7E0 && c.Transport.Can.CanIDSlave == 0x7E1
			}, nil, 0},
		{"legacy JSON", `{"TRANSPORT": "ETH", "HOST": "127.0.0.1", "PORT": 5555, "SEED_N_KEY_DLL": "k.dll"}`, pyxcp.Options{},
			func(c *config.Config) bool {
				return c.Transport.Eth.Host == "127.0.0.1" && c.Transport.Eth.Protocol == "udp"
			},
			[]string{"line 1: SEED_N_KEY_DLL: goxcp cannot load seed & key DLLs"}, 1},
		{"legacy refused value", "[ETH]\nPORT = 70000\n", pyxcp.Options{},
			func(c *config.Config) bool { return c.Transport.Eth.Port == config.Default().Transport.Eth.Port },
			[]string{"line 2: [ETH] PORT: goxcp refuses transport.eth.port = 70000"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "old.toml"
			if strings.HasPrefix(tc.data, "{") {
				name = "old.json"
			}
			conv, err := pyxcp.Convert(name, []byte(tc.data), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			out, err := conv.TOML()
			if err != nil {
				t.Fatal(err)
			}
			c, err := config.Parse("out.toml", out)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !tc.check(c) {
				t.Errorf("converted settings wrong:\n%s", out)
			}
			if len(conv.Problems) != len(tc.problems) || len(conv.Notes) != tc.notes {
				t.Fatalf("problems %q, notes %q", conv.Problems, conv.Notes)
			}
			for i, p := range tc.problems {
				if got := conv.Problems[i].String(); !strings.HasPrefix(got, p) {
					t.Errorf("problem %d: %q, want %q…", i, got, p)
				}
			}
		})
	}
}

func TestConvertTraitlets(t *testing.T) {
	conv, err := pyxcp.Convert("conf.PY", []byte("c = get_config()\nc.Transport.Can.fd = True\nimport os\nc.General.max_retries = -1\n"), pyxcp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := conv.TOML()
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Parse("out.toml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !c.Transport.Can.FD || c.General.MaxRetries != 1000 {
		t.Errorf("fd %v, max_retries %d", c.Transport.Can.FD, c.General.MaxRetries)
	}
	if len(conv.Problems) != 1 || conv.Problems[0].Line != 3 || !strings.Contains(conv.Problems[0].Msg, "not an assignment") {
		t.Errorf("problems %+v", conv.Problems)
	}
	if _, err := pyxcp.Convert("broken.json", []byte("{"), pyxcp.Options{}); err == nil || !strings.Contains(err.Error(), "broken.json") {
		t.Errorf("broken JSON: %v", err)
	}
}
