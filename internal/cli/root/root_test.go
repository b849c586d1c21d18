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
		{"env file", map[string]string{"XCP_CONFIG": file}, []string{"probe"}, func(c *config.Config) { c.Origin = config.OriginEnv }},
		{"flags", nil, []string{"--config", file, "--host", "::1", "--port", "6000", "--protocol", "tcp", "--ipv6", "-t", "eth", "--timeout", "300ms", "--command-deadline", "5s", "--log-level", "debug", "probe"},
			func(c *config.Config) {
				c.Transport.Eth.Host, c.Transport.Eth.Port, c.Transport.Eth.Protocol, c.Transport.Eth.IPv6 = "::1", 6000, "tcp", true
				c.Transport.Timeout, c.General.T1 = 300*time.Millisecond, 300*time.Millisecond
				c.General.CommandDeadline = 5 * time.Second
				c.Logging.Level = "debug"
			}},
		{"upper-case enums", nil, []string{"--config", file, "-t", "ETH", "--protocol", "TCP", "probe"},
			func(c *config.Config) { c.Transport.Layer, c.Transport.Eth.Protocol = "eth", "tcp" }},
		{"can flags", nil, []string{"--config", file, "-t", "can", "--can-interface", "SocketCAN", "--channel", "can0", "--can-bitrate", "500000",
			"--can-data-bitrate", "2000000", "--fd", "--brs", "--can-id-master", "0x7E0", "--can-id-slave", "2017", "--can-id-broadcast", "0x80000100",
			"--max-dlc-required", "--padding-value", "0xAA", "--max-can-fd-dlc", "32", "probe"},
			func(c *config.Config) {
				c.Transport.Layer = "can"
				k := &c.Transport.Can
				k.Interface, k.Channel, k.Bitrate, k.DataBitrate, k.FD, k.BRS = "socketcan", "can0", 500000, 2000000, true, true
				k.CanIDMaster, k.CanIDSlave, k.CanIDBroadcast = 0x7E0, 0x7E1, 0x80000100
				k.MaxDLCRequired, k.PaddingValue, k.MaxFDLen = true, 0xAA, 32
			}},
		{"can 29-bit ids", nil, []string{"--config", file, "-t", "can", "--can-interface", "udp", "--can-id-master", "0x101", "--can-id-slave", "0x102", "--can-extended", "probe"},
			func(c *config.Config) {
				c.Transport.Layer, c.Transport.Can.Interface = "can", "udp"
				c.Transport.Can.CanIDMaster, c.Transport.Can.CanIDSlave = 0x80000101, 0x80000102
			}},
		{"serial flags", nil, []string{"--config", file, "-t", "sxi", "--serial-port", "/dev/ttyUSB1", "--baudrate", "115200", "probe"},
			func(c *config.Config) {
				c.Transport.Layer, c.Transport.Sxi.Port, c.Transport.Sxi.Bitrate = "sxi", "/dev/ttyUSB1", 115200
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
		{"channel with eth", nil, []string{"--channel", "can0", "probe"}, "--channel applies only to the CAN transport (-t can), not to transport \"eth\""},
		{"baudrate with can", nil, []string{"-t", "can", "--baudrate", "9600", "probe"}, "--baudrate applies only to the SxI transport (-t sxi), not to transport \"can\""},
		{"bad can id", nil, []string{"-t", "can", "--can-id-master", "7E0", "probe"}, `--can-id-master: not a CAN identifier (decimal or 0x hex): "7E0"`},
		{"can id too large", nil, []string{"-t", "can", "--can-id-master", "0x40000000", "probe"}, "--can-id-master: identifier 0x40000000 exceeds 29 bits"},
		{"bad can interface", nil, []string{"-t", "can", "--can-interface", "pcan", "probe"}, `--can-interface: must be one of virtual, udp, socketcan, slcan, user, got "pcan"`},
		{"brs without fd", nil, []string{"-t", "can", "--brs", "probe"}, "--brs: needs fd = true"},
		{"bad baudrate", nil, []string{"-t", "sxi", "--baudrate", "-5", "probe"}, "--baudrate:"},
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
