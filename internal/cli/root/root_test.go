package root

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
)

// probe is a subcommand that loads the configuration, for tests.
func probe(f *cmdutil.Factory, got **config.Config) *cobra.Command {
	return &cobra.Command{Use: "probe", RunE: func(*cobra.Command, []string) error {
		c, err := f.Config()
		*got = c
		return err
	}}
}

func runProbe(t *testing.T, env map[string]string, args ...string) (*config.Config, int, string) {
	t.Helper()
	ios, _, _, errOut := cmdutil.Test()
	f := cmdutil.New(ios)
	f.Getenv = func(k string) string { return env[k] }
	var got *config.Config
	cmd := NewCmd(f)
	cmd.AddCommand(probe(f, &got))
	cmd.SetArgs(args)
	_, err := cmd.ExecuteC()
	code := cmdutil.ExitCode(err)
	if err != nil {
		errOut.WriteString(err.Error())
	}
	return got, code, errOut.String()
}

func TestFlagsOverrideConfig(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	file := filepath.Join(t.TempDir(), "x.toml")
	if err := os.WriteFile(file, []byte("[transport]\ntimeout = 1\n[transport.eth]\nhost = \"10.0.0.1\"\nport = 1000\nprotocol = \"udp\"\n[logging]\nlevel = \"info\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want func(*config.Config)
	}{
		{"file only", nil, []string{"--config", file, "probe"}, func(c *config.Config) {}},
		{"env file", map[string]string{"XCP_CONFIG": file}, []string{"probe"}, func(c *config.Config) {}},
		{"flags", nil, []string{"--config", file, "--host", "::1", "--port", "6000", "--protocol", "tcp", "--ipv6", "-t", "eth", "--timeout", "300ms", "--log-level", "debug", "probe"},
			func(c *config.Config) {
				c.Transport.Eth.Host, c.Transport.Eth.Port, c.Transport.Eth.Protocol, c.Transport.Eth.IPv6 = "::1", 6000, "tcp", true
				c.Transport.Timeout, c.General.T1 = 300*time.Millisecond, 300*time.Millisecond
				c.Logging.Level = "debug"
			}},
		{"env log level", map[string]string{"XCP_LOGLEVEL": "warn"}, []string{"--config", file, "probe"}, func(c *config.Config) { c.Logging.Level = "warn" }},
		{"flag beats env", map[string]string{"XCP_LOGLEVEL": "warn"}, []string{"--config", file, "--log-level", "error", "probe"}, func(c *config.Config) { c.Logging.Level = "error" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, code, msg := runProbe(t, tt.env, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, msg)
			}
			want, err := config.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			tt.want(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", *got, *want)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	bad := filepath.Join(t.TempDir(), "bad.toml")
	if err := os.WriteFile(bad, []byte("[transport.eth]\nport = 70000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		msg  string
	}{
		{"bad port flag", nil, []string{"--port", "70000", "probe"}, "--port: must be 1..65535, got 70000"},
		{"bad transport flag", nil, []string{"-t", "serial", "probe"}, `--transport: must be one of eth, can, sxi, usb, got "serial"`},
		{"bad protocol flag", nil, []string{"--protocol", "sctp", "probe"}, `--protocol: must be tcp or udp, got "sctp"`},
		{"bad log level flag", nil, []string{"--log-level", "loud", "probe"}, `--log-level: must be one of debug, info, warn, error, off, got "loud"`},
		{"bad log level env", map[string]string{"XCP_LOGLEVEL": "loud"}, []string{"probe"}, `XCP_LOGLEVEL: must be one of`},
		{"bad file", nil, []string{"--config", bad, "probe"}, bad + ": transport.eth.port: must be 1..65535, got 70000"},
		{"missing file", nil, []string{"--config", "nope.toml", "probe"}, "config file from --config: stat nope.toml"},
		{"missing env file", map[string]string{"XCP_CONFIG": "nope.toml"}, []string{"probe"}, "config file from XCP_CONFIG"},
		{"unknown flag", nil, []string{"--bogus", "probe"}, "unknown flag: --bogus"},
		{"bad flag value", nil, []string{"--port", "x", "probe"}, `invalid argument "x" for "--port"`},
		{"host with can", nil, []string{"-t", "can", "--host", "::1", "probe"}, "--host applies only to the Ethernet transport (eth), not to transport \"can\""},
		{"port with sxi", nil, []string{"--port", "6000", "-t", "sxi", "probe"}, "--port applies only to the Ethernet transport (eth), not to transport \"sxi\""},
		{"protocol with usb", nil, []string{"-t", "usb", "--protocol", "udp", "probe"}, "--protocol applies only to the Ethernet transport (eth), not to transport \"usb\""},
		{"ipv6 with can", nil, []string{"-t", "can", "--ipv6", "probe"}, "--ipv6 applies only to the Ethernet transport (eth), not to transport \"can\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, code, msg := runProbe(t, tt.env, tt.args...)
			if code != cmdutil.ExitUsage || !strings.Contains(msg, tt.msg) {
				t.Errorf("exit %d, message %q; want exit 2 and %q", code, msg, tt.msg)
			}
		})
	}
}

func TestRunUnknownCommand(t *testing.T) {
	ios, _, _, errOut := cmdutil.Test()
	code := Run(context.Background(), cmdutil.New(ios), []string{"frobnicate"})
	if code != cmdutil.ExitUsage || !strings.Contains(errOut.String(), `unknown command "frobnicate"`) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
