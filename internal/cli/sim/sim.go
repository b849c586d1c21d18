// Package sim is `xcp sim`: run the built-in simulated ECU (package
// goxcp/sim) on TCP and/or UDP until interrupted.
package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/protocol/xcp"
	xsim "github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/sxi"
)

// DefaultAddr is where the simulator listens when neither --tcp nor --udp
// is given.
const DefaultAddr = "127.0.0.1:5555"

// Options are the parsed arguments of `xcp sim`.
type Options struct {
	IO  *cmdutil.IOStreams
	Log func() *slog.Logger

	TCP, UDP []string // listen addresses
	Slave    xsim.Config

	// CAN lists the CAN buses to serve on (--can), with the identifiers
	// and frame format of CANConfig; SxI lists serial devices or "pty"
	// (--sxi) with the framing of SxiConfig (see tl.go).
	CAN       []CANSpec
	CANConfig can.Config
	SxI       []string
	SxiConfig sxi.Config
	// Discovery answers XCP-on-Ethernet slave detection (GET_SLAVE_ID on
	// the multicast group DiscoveryGroup, "" = xcp.EthDiscoveryGroup) on
	// the loopback interface, announcing the first TCP (else UDP) server.
	Discovery      bool
	DiscoveryGroup string
	// Ready, if set, is called with the listening addresses once the
	// simulator serves (tests use it to connect).
	Ready func(addrs []string)
}

// NewCmd returns the `xcp sim` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Log: f.Logger}
	var order, protect, csum string
	var ag, maxCTO, maxDTO int
	var media tlFlags
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the simulated ECU until interrupted",
		Long: `Run goxcp's simulated ECU (an XCP slave) on TCP and/or UDP until Ctrl-C.

Without --tcp or --udp it listens on TCP ` + DefaultAddr + `.`,
		Example: `  xcp sim
  xcp sim --tcp 127.0.0.1:5555 --udp 127.0.0.1:5555 --byte-order motorola --ag 2
  xcp --host 127.0.0.1 info     # in another terminal`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch strings.ToLower(order) {
			case "intel":
				opts.Slave.Order = xcp.Intel
			case "motorola":
				opts.Slave.Order = xcp.Motorola
			default:
				return cmdutil.UsageErrorf("--byte-order: want intel or motorola, got %q", order)
			}
			switch ag {
			case 1:
				opts.Slave.AG = xcp.Byte
			case 2:
				opts.Slave.AG = xcp.Word
			case 4:
				opts.Slave.AG = xcp.DWord
			default:
				return cmdutil.UsageErrorf("--ag: want 1, 2 or 4 (bytes per address), got %d", ag)
			}
			if !cmd.Flags().Changed("max-cto") {
				maxCTO -= maxCTO % ag // MAX_CTO must be a multiple of the granularity
			}
			if err := media.parse(cmd, opts, &maxCTO, &maxDTO); err != nil {
				return err
			}
			if maxCTO < 8 || maxCTO > 255 {
				return cmdutil.UsageErrorf("--max-cto: want 8..255, got %d", maxCTO)
			}
			if maxDTO < 8 || maxDTO > 65535 {
				return cmdutil.UsageErrorf("--max-dto: want 8..65535, got %d", maxDTO)
			}
			opts.Slave.MaxCTO, opts.Slave.MaxDTO = maxCTO, maxDTO
			res, err := xcp.ParseResources(protect)
			if err != nil {
				return cmdutil.UsageErrorf("--protect: %v", err)
			}
			opts.Slave.Protect = res
			if opts.Slave.Checksum, err = xcp.ParseChecksumType(csum); err != nil {
				return cmdutil.UsageErrorf("--checksum: %v", err)
			}
			if opts.Slave.SeedLen < 0 || opts.Slave.SeedLen > 255 {
				return cmdutil.UsageErrorf("--seed-len: want 1..255 (0 = default), got %d", opts.Slave.SeedLen)
			}
			if opts.Slave.RAMSize < 0 {
				return cmdutil.UsageErrorf("--ram-size: must not be negative, got %d", opts.Slave.RAMSize)
			}
			if d := opts.Slave.Dbg.MaxCTODbg; d != 0 && (d < 8 || d > 0xFFFF) {
				return cmdutil.UsageErrorf("--max-cto-dbg: want 8..65535 (0 = 1456), got %d", d)
			}
			if l := opts.Slave.Dbg.ServiceLevel; l < 1 || l > 4 {
				return cmdutil.UsageErrorf("--dbg-service-level: want 1..4, got %d", l)
			}
			if len(opts.TCP) == 0 && len(opts.UDP) == 0 && len(opts.CAN) == 0 && len(opts.SxI) == 0 {
				opts.TCP = []string{DefaultAddr}
			}
			if cmd.Flags().Changed("discovery-group") {
				opts.Discovery = true
			}
			if opts.Discovery && len(opts.TCP) == 0 && len(opts.UDP) == 0 {
				return cmdutil.UsageErrorf("--discovery announces an XCP-on-Ethernet server: give --tcp or --udp too")
			}
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.TCP, "tcp", nil, "listen on TCP `ADDR` (host:port; repeatable)")
	fl.StringArrayVar(&opts.UDP, "udp", nil, "listen on UDP `ADDR` (host:port; repeatable)")
	fl.StringVar(&order, "byte-order", "intel", "byte order: intel or motorola")
	fl.IntVar(&ag, "ag", 1, "address granularity in bytes: 1, 2 or 4")
	fl.IntVar(&maxCTO, "max-cto", 255, "MAX_CTO: largest command/response packet (default: 255 rounded down to a multiple of --ag)")
	fl.IntVar(&maxDTO, "max-dto", 1024, "MAX_DTO: largest DAQ packet")
	fl.BoolVar(&opts.Slave.NoSlaveBlockMode, "no-slave-block", false, "switch slave block mode (multi-packet UPLOAD) off")
	fl.BoolVar(&opts.Slave.NoMasterBlockMode, "no-master-block", false, "switch master block mode (DOWNLOAD_NEXT) off")
	fl.BoolVar(&opts.Slave.Takeover, "takeover", false, "let a CONNECT from another master take the session over (default: refuse a second master while one is connected)")
	fl.Uint8Var(&opts.Slave.MaxBS, "max-bs", 0, "MAX_BS: packets per master block (0 = 32)")
	fl.Uint8Var(&opts.Slave.MinST, "min-st", 0, "MIN_ST: separation time in master block mode, in 100 µs")
	fl.StringVar(&protect, "protect", "", "resources locked by seed & key (sim.DemoKey): comma list of cal, daq, stim, pgm, dbg, or all")
	fl.IntVar(&opts.Slave.SeedLen, "seed-len", 0, "seed length in bytes (0 = long enough to need two GET_SEEDs)")
	fl.StringVar(&csum, "checksum", "XCP_CRC_16_CITT", "BUILD_CHECKSUM type, e.g. XCP_ADD_44, XCP_CRC_32")
	fl.Uint32Var(&opts.Slave.MaxChecksumBlock, "max-checksum-block", 0, "MAX_CHECKSUM_BLOCKSIZE in elements (0 = 0x10000)")
	fl.IntVar(&opts.Slave.RAMSize, "ram-size", 0, "RAM region size in bytes (0 = 2 MiB)")
	fl.StringVar(&opts.Slave.Name, "name", "", "ASCII identification (GET_ID type 0; default goxcp-sim)")
	fl.BoolVar(&opts.Slave.IDInResponse, "id-inline", false, "send short GET_ID identifications inline instead of via UPLOAD")
	fl.IntVar(&opts.Slave.Dbg.MaxCTODbg, "max-cto-dbg", 0, "SW-DBG MAX_CTO_DBG (0 = 1456; below 32 the CAN command set DBG_READ_CAN*/DBG_WRITE_CAN*)")
	fl.IntVar(&opts.Slave.Dbg.ServiceLevel, "dbg-service-level", 2, "initial SW-DBG service level 1..4")
	fl.BoolVar(&opts.Slave.Dbg.DAP, "dbg-dap", false, "SW-DBG target speaks the Infineon DAP dialect (DBG_LLT) instead of JTAG")
	fl.BoolVar(&opts.Slave.Dbg.HaltAfterReset, "dbg-halt-after-reset", false, "offer DBG_HALT_AFTER_RESET")
	fl.BoolVar(&opts.Discovery, "discovery", false, "answer XCP-on-Ethernet discovery (GET_SLAVE_ID on "+xcp.EthDiscoveryGroup+") on the loopback interface")
	fl.StringVar(&opts.DiscoveryGroup, "discovery-group", "", "multicast `group:port` for --discovery (implies it; default "+xcp.EthDiscoveryGroup+")")
	media.add(cmd)
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	log := opts.Log()
	cfg := opts.Slave
	cfg.Logger = log
	slave, err := xsim.New(cfg)
	if err != nil {
		if errors.Is(err, xsim.ErrConfig) {
			return &cmdutil.UsageError{Err: err}
		}
		return err
	}
	srv, err := connect.Serve(ctx, slave, connect.ServeConfig{TCP: opts.TCP, UDP: opts.UDP,
		Discovery: opts.Discovery, DiscoveryGroup: opts.DiscoveryGroup,
		CAN: opts.CAN, CANConfig: opts.CANConfig, SxI: opts.SxI, SxiConfig: opts.SxiConfig, Logger: log})
	if err != nil {
		return err
	}
	addrs := srv.Addrs()
	for _, a := range addrs {
		fmt.Fprintf(opts.IO.Out, "xcp simulator listening on %s\n", a)
	}
	fmt.Fprintln(opts.IO.ErrOut, "press Ctrl-C to stop")
	if opts.Ready != nil {
		opts.Ready(addrs)
	}
	<-ctx.Done()
	err = srv.Close()
	if errors.Is(ctx.Err(), context.Canceled) {
		return err // Ctrl-C is the normal end
	}
	return errors.Join(err, ctx.Err())
}
