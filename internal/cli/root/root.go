// Package root is the `xcp` command: the global flags and the list of
// subcommands.
package root

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	a2lcmd "github.com/goxcp/goxcp/internal/cli/a2l"
	"github.com/goxcp/goxcp/internal/cli/calcmd"
	"github.com/goxcp/goxcp/internal/cli/candrivers"
	"github.com/goxcp/goxcp/internal/cli/checksum"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/internal/cli/configcmd"
	"github.com/goxcp/goxcp/internal/cli/convert"
	"github.com/goxcp/goxcp/internal/cli/daqinfo"
	"github.com/goxcp/goxcp/internal/cli/dbg"
	"github.com/goxcp/goxcp/internal/cli/discover"
	"github.com/goxcp/goxcp/internal/cli/download"
	"github.com/goxcp/goxcp/internal/cli/examples"
	"github.com/goxcp/goxcp/internal/cli/fetcha2l"
	"github.com/goxcp/goxcp/internal/cli/flash"
	"github.com/goxcp/goxcp/internal/cli/gdbserver"
	"github.com/goxcp/goxcp/internal/cli/idscan"
	"github.com/goxcp/goxcp/internal/cli/info"
	"github.com/goxcp/goxcp/internal/cli/monitor"
	"github.com/goxcp/goxcp/internal/cli/page"
	"github.com/goxcp/goxcp/internal/cli/plotcmd"
	"github.com/goxcp/goxcp/internal/cli/read"
	"github.com/goxcp/goxcp/internal/cli/record"
	"github.com/goxcp/goxcp/internal/cli/sim"
	"github.com/goxcp/goxcp/internal/cli/stim"
	"github.com/goxcp/goxcp/internal/cli/uicmd"
	"github.com/goxcp/goxcp/internal/cli/upload"
	"github.com/goxcp/goxcp/internal/cli/versioncmd"
	"github.com/goxcp/goxcp/internal/cli/write"
	"github.com/goxcp/goxcp/version"
)

// subcommands lists every `xcp` subcommand. Adding a command: one line here.
func subcommands(f *cmdutil.Factory) []*cobra.Command {
	return []*cobra.Command{
		a2lcmd.NewCmd(f),
		calcmd.NewCmd(f),
		candrivers.NewCmd(f),
		configcmd.NewCmd(f),
		checksum.NewCmd(f),
		convert.NewCmd(f),
		dbg.NewCmd(f),
		discover.NewCmd(f),
		download.NewCmd(f),
		examples.NewCmd(f),
		fetcha2l.NewCmd(f),
		gdbserver.NewCmd(f),
		idscan.NewCmd(f),
		info.NewCmd(f),
		monitor.NewCmd(f),
		page.NewCmd(f),
		plotcmd.NewCmd(f),
		read.NewCmd(f),
		record.NewCmd(f),
		daqinfo.NewCmd(f),
		flash.NewCmd(f),
		sim.NewCmd(f),
		stim.NewCmd(f),
		uicmd.NewCmd(f),
		upload.NewCmd(f),
		versioncmd.NewCmd(f),
		write.NewCmd(f),
	}
}

// NewCmd returns the root command with the global flags bound to
// f.Global and every subcommand added.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "xcp",
		Short: "XCP master toolkit: measure, calibrate, flash and debug ECUs over XCP",
		Long: `xcp talks to ECUs (XCP slaves) over ASAM MCD-1 XCP on Ethernet (TCP, UDP),
CAN/CAN FD, SxI (serial) and USB (builds with -tags usb).

Settings come from a TOML file (--config, $XCP_CONFIG, ./xcp.toml or
<user config dir>/goxcp/xcp.toml); the global flags override it.
With --sim every command runs against a built-in simulated ECU.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return cmdutil.UsageErrorf("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		// --version prints what `xcp version` prints.
		Version: versioncmd.Text(version.Get()),
	}
	cmd.SetVersionTemplate("{{.Version}}")
	g := &f.Global
	pf := cmd.PersistentFlags()
	pf.StringVar(&g.ConfigFile, "config", "", "configuration `file` (TOML)")
	pf.StringVarP(&g.Transport, "transport", "t", "", "transport layer: eth, can, sxi, usb (any case; default from config, eth)")
	pf.StringVar(&g.Host, "host", "", "slave host name or address (default from config, localhost)")
	pf.IntVar(&g.Port, "port", 0, "slave port (default from config, 5555)")
	pf.StringVar(&g.Protocol, "protocol", "", "Ethernet protocol: tcp, udp (any case; default from config, tcp)")
	pf.BoolVar(&g.IPv6, "ipv6", false, "use IPv6")
	pf.DurationVar(&g.Timeout, "timeout", 0, "connection and command timeout (t1), e.g. 500ms (default from config, 2s)")
	pf.DurationVar(&g.CommandDeadline, "command-deadline", 0, "bound of one command with all its repetitions and EV_CMD_PENDING extensions (default from config, 30s)")
	pf.StringVar(&g.LogLevel, "log-level", "", "log to stderr at level debug, info, warn or error (debug traces every frame)")
	pf.BoolVar(&g.Sim, "sim", false, "start a simulated ECU in this process and connect to it")
	pf.StringVar(&g.A2L.File, "a2l", "", "A2L `file` describing the ECU (for commands that take names)")
	pf.BoolVar(&g.A2L.FromSlave, "a2l-from-slave", false, "fetch the A2L from the slave (GET_ID type 4) instead of --a2l")
	pf.StringVar(&g.CAN.Interface, "can-interface", "", "CAN interface kind: socketcan, slcan, udp, virtual, user (-t can; default from config)")
	pf.StringVar(&g.CAN.Channel, "channel", "", "CAN channel: can0 (socketcan), /dev/ttyACM0 (slcan), GROUP:PORT[@IF] (udp)")
	pf.IntVar(&g.CAN.Bitrate, "can-bitrate", 0, "CAN nominal bit rate in bit/s (slcan applies it; socketcan: set on the interface)")
	pf.IntVar(&g.CAN.DataBitrate, "can-data-bitrate", 0, "CAN FD data phase bit rate in bit/s")
	pf.BoolVar(&g.CAN.FD, "fd", false, "CAN FD frames (--fd=false turns off fd from the config)")
	pf.BoolVar(&g.CAN.BRS, "brs", false, "CAN FD bit rate switch")
	pf.StringVar(&g.CAN.Master, "can-id-master", "", "CAN `ID` master → slave (0x7E0; bit 31 or --can-extended = 29-bit)")
	pf.StringVar(&g.CAN.Slave, "can-id-slave", "", "CAN `ID` slave → master")
	pf.StringVar(&g.CAN.Bcast, "can-id-broadcast", "", "CAN `ID` for GET_SLAVE_ID broadcasts (0 = none)")
	pf.BoolVar(&g.CAN.Extended, "can-extended", false, "the CAN identifiers are 29-bit (extended)")
	pf.BoolVar(&g.CAN.MaxDLCRequired, "max-dlc-required", false, "pad every CAN frame to 8 bytes (CAN FD: --max-can-fd-dlc)")
	pf.Uint8Var(&g.CAN.PaddingValue, "padding-value", 0, "CAN padding byte")
	pf.IntVar(&g.CAN.MaxFDLen, "max-can-fd-dlc", 0, "largest CAN FD frame length: 8..64 (0 = 64)")
	pf.StringVar(&g.Serial.Port, "serial-port", "", "SxI serial `device` (-t sxi), e.g. /dev/ttyUSB0 or COM3")
	pf.IntVar(&g.Serial.Baudrate, "baudrate", 0, "SxI serial bit rate (default from config, 38400)")
	f.Changed = func(name string) bool {
		fl := pf.Lookup(name)
		return fl != nil && fl.Changed
	}
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &cmdutil.UsageError{Err: err}
	})
	cmd.SetIn(f.IO.In)
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	cmd.AddCommand(subcommands(f)...)
	return cmd
}

// Main runs xcp with the process's arguments, streams and environment and
// returns the exit code. Ctrl-C cancels the running command.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := cmdutil.New(cmdutil.System())
	return Run(ctx, f, os.Args[1:])
}

// Run executes the command line args with f, prints an error to f's
// ErrOut and returns the exit code.
func Run(ctx context.Context, f *cmdutil.Factory, args []string) int {
	cmd := NewCmd(f)
	cmd.SetArgs(args)
	c, err := cmd.ExecuteContextC(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	var ue *cmdutil.UsageError
	fmt.Fprintf(f.IO.ErrOut, "xcp: %v\n", err)
	if errors.As(err, &ue) {
		fmt.Fprintf(f.IO.ErrOut, "Run '%s --help' for usage.\n", c.CommandPath())
	}
	return cmdutil.ExitCode(err)
}
