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
	xsim "github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/canbus"
	"github.com/goxcp/goxcp/transport/sxi"
)

// The CAN and SxI media of `xcp sim` (--can, --sxi).

// CANSpec is one --can BACKEND[:CHANNEL] argument.
type CANSpec struct {
	Interface, Channel string
}

// tlFlags are the raw CAN/SxI flag values.
type tlFlags struct {
	can                   []string
	master, slave, bcast  string
	sxi                   []string
	header, tail, parity  string
	framing               bool
	bitrate               int
	stopbits              float64
	fd, brs, maxDLC       bool
	padding               uint8
	maxFD, canBitrate, db int
}

func (t *tlFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&t.can, "can", nil, "serve XCP on CAN on `BACKEND[:CHANNEL]`: udp[:GROUP[@IF]], slcan:/dev/ttyX, socketcan:can0 (repeatable)")
	fl.BoolVar(&t.fd, "fd", false, "CAN FD frames (up to 64 bytes)")
	fl.BoolVar(&t.brs, "brs", false, "CAN FD bit rate switch")
	fl.IntVar(&t.maxFD, "max-can-fd-dlc", 0, "largest CAN FD frame length (0 = 64)")
	fl.BoolVar(&t.maxDLC, "max-dlc-required", false, "pad every CAN frame to the maximum length")
	fl.Uint8Var(&t.padding, "padding-value", 0, "CAN padding byte")
	fl.StringVar(&t.master, "can-id-master", fmt.Sprintf("0x%X", connect.DefaultCANMaster), "CAN `ID` of master → slave frames (bit 31 = 29-bit)")
	fl.StringVar(&t.slave, "can-id-slave", fmt.Sprintf("0x%X", connect.DefaultCANSlave), "CAN `ID` of slave → master frames")
	fl.StringVar(&t.bcast, "can-id-broadcast", fmt.Sprintf("0x%X", connect.DefaultCANBroadcast), "CAN `ID` for GET_SLAVE_ID (0 = none)")
	fl.IntVar(&t.canBitrate, "can-bitrate", 0, "CAN bitrate (slcan, 0 = 500000)")
	fl.IntVar(&t.db, "can-data-bitrate", 0, "CAN FD data bitrate (slcan)")
	fl.StringArrayVar(&t.sxi, "sxi", nil, "serve XCP on SxI on `DEVICE`, or \"pty\" to create a pseudo-terminal and print its path (repeatable)")
	fl.StringVar(&t.header, "header-format", "HEADER_LEN_CTR_WORD", "SxI header format")
	fl.StringVar(&t.tail, "tail-format", "NO_CHECKSUM", "SxI tail: NO_CHECKSUM, CHECKSUM_BYTE, CHECKSUM_WORD")
	fl.BoolVar(&t.framing, "framing", false, "SxI: XCP 1.5 SYNC/ESC framing")
	fl.IntVar(&t.bitrate, "bitrate", 0, "SxI serial bitrate (0 = 38400; a PTY ignores it)")
	fl.StringVar(&t.parity, "parity", "N", "SxI parity: N, E, O, M, S")
	fl.Float64Var(&t.stopbits, "stopbits", 1, "SxI stop bits: 1, 1.5, 2")
}

func parseCANID(flag, s string) (uint32, error) { return cmdutil.ParseCANID(flag, s, false) }

// parse fills opts.CAN, opts.CANConfig, opts.SxI and opts.SxiConfig, and
// bounds MAX_CTO/MAX_DTO by what a frame of the media carries (unless
// given explicitly).
func (t *tlFlags) parse(cmd *cobra.Command, opts *Options, cto, dto *int) error {
	for _, s := range t.can {
		b, ch, _ := strings.Cut(s, ":")
		name, err := canbus.Canonical(b)
		if err != nil {
			return cmdutil.UsageErrorf("--can: %v", err)
		}
		switch name {
		case canbus.Virtual, canbus.User:
			return cmdutil.UsageErrorf("--can: %s buses exist only inside one program; use udp to reach another process", name)
		}
		opts.CAN = append(opts.CAN, CANSpec{Interface: name, Channel: ch})
	}
	k := can.Config{FD: t.fd, BRS: t.brs, MaxFDLen: t.maxFD, MaxDLCRequired: t.maxDLC, PaddingValue: t.padding, Bitrate: t.canBitrate, DataBitrate: t.db}
	var err error
	if k.CanIDMaster, err = parseCANID("can-id-master", t.master); err != nil {
		return err
	}
	if k.CanIDSlave, err = parseCANID("can-id-slave", t.slave); err != nil {
		return err
	}
	if k.CanIDBroadcast, err = parseCANID("can-id-broadcast", t.bcast); err != nil {
		return err
	}
	if err := k.Validate(); err != nil {
		return cmdutil.UsageErrorf("--can: %v", err)
	}
	opts.CANConfig = k
	opts.SxI = t.sxi
	opts.SxiConfig = sxi.Config{HeaderFormat: t.header, TailFormat: t.tail, Framing: t.framing, Bitrate: t.bitrate, Parity: t.parity, Stopbits: t.stopbits}
	f, err := opts.SxiConfig.FramingOf()
	if err != nil {
		return cmdutil.UsageErrorf("--header-format/--tail-format: %v", err)
	}
	if _, err := opts.SxiConfig.Mode(); err != nil {
		return cmdutil.UsageErrorf("--bitrate/--parity/--stopbits: %v", err)
	}
	limit := 0
	if len(opts.CAN) > 0 {
		limit = k.MaxPacket()
	}
	if len(opts.SxI) > 0 && (limit == 0 || f.MaxPacketLen() < limit) {
		limit = f.MaxPacketLen()
	}
	if limit > 0 {
		if !cmd.Flags().Changed("max-cto") {
			*cto = min(*cto, limit)
		}
		if !cmd.Flags().Changed("max-dto") {
			*dto = min(*dto, limit)
		}
	}
	return nil
}

// serveMedia serves slave on the CAN buses and SxI lines of opts. It
// returns the descriptions of what it serves and the stop function.
func serveMedia(ctx context.Context, opts *Options, slave *xsim.Slave, log *slog.Logger) ([]string, func() error, error) {
	var stops []func() error
	stopAll := func() error {
		var errs []error
		for _, s := range stops {
			errs = append(errs, s())
		}
		return errors.Join(errs...)
	}
	var addrs []string
	for _, spec := range opts.CAN {
		k := opts.CANConfig
		k.Interface, k.Channel, k.Logger = spec.Interface, spec.Channel, log
		bus, err := canbus.Open(ctx, k)
		if err != nil {
			return nil, nil, errors.Join(err, stopAll())
		}
		c, err := can.NewConn(bus, k, can.Slave)
		if err != nil {
			bus.Close()
			return nil, nil, errors.Join(err, stopAll())
		}
		stops = append(stops, connect.ServeConn(ctx, slave, c))
		kind := "can"
		if k.FD {
			kind = "canfd"
		}
		addrs = append(addrs, fmt.Sprintf("%s %s (commands on 0x%X, answers on 0x%X, broadcast 0x%X)", kind, c.Info().Remote[strings.Index(c.Info().Remote, " on ")+4:], k.CanIDMaster, k.CanIDSlave, k.CanIDBroadcast))
	}
	f, _ := opts.SxiConfig.FramingOf()
	desc := fmt.Sprintf("%s, %s", f.Header, f.Tail)
	if f.SyncEsc {
		desc += ", SYNC/ESC"
	}
	for _, dev := range opts.SxI {
		if dev == "pty" {
			p, err := sxi.OpenPTY()
			if err != nil {
				return nil, nil, errors.Join(err, stopAll())
			}
			c, err := sxi.NewConn(p.Master, f, sxi.Options{Name: "pty " + p.TTYPath, Logger: log})
			if err != nil {
				p.Close()
				return nil, nil, errors.Join(err, stopAll())
			}
			stopSim := connect.ServeConn(ctx, slave, c)
			stops = append(stops, func() error { return errors.Join(stopSim(), p.Close()) })
			addrs = append(addrs, fmt.Sprintf("sxi %s (%s)", p.TTYPath, desc))
			continue
		}
		k := opts.SxiConfig
		k.Port, k.Logger = dev, log
		c, err := sxi.Dial(ctx, k)
		if err != nil {
			return nil, nil, errors.Join(err, stopAll())
		}
		stops = append(stops, connect.ServeConn(ctx, slave, c))
		addrs = append(addrs, fmt.Sprintf("sxi %s (%s)", dev, desc))
	}
	return addrs, stopAll, nil
}
