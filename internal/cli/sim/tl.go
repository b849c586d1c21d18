package sim

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/canbus"
	"github.com/goxcp/goxcp/transport/sxi"
)

// The CAN and SxI media of `xcp sim` (--can, --sxi).

// CANSpec is one --can BACKEND[:CHANNEL] argument.
type CANSpec = connect.CANMedium

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
	if _, err := opts.SxiConfig.FramingOf(); err != nil {
		return cmdutil.UsageErrorf("--header-format/--tail-format: %v", err)
	}
	if _, err := opts.SxiConfig.Mode(); err != nil {
		return cmdutil.UsageErrorf("--bitrate/--parity/--stopbits: %v", err)
	}
	limit, err := connect.ServeConfig{CAN: opts.CAN, CANConfig: k, SxI: opts.SxI, SxiConfig: opts.SxiConfig}.MaxPacket()
	if err != nil {
		return cmdutil.UsageErrorf("%v", err)
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
