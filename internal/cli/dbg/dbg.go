// Package dbg is `xcp dbg`: Software Debugging over XCP from the command
// line — attach, slave and target information, the JTAG ID, HW-IO pins,
// target memory (read, write, read-modify-write), JPL sequences and low
// level telegrams, on top of goxcp/dbg.
package dbg

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	debug "github.com/goxcp/goxcp/dbg"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/swdbg"
)

// Options are the arguments shared by the `xcp dbg` subcommands; each
// subcommand fills in its own fields.
type Options struct {
	Connect func(context.Context) (*master.Master, func() error, error)
	Printer func(json bool) *cmdutil.Printer

	JSON bool
	TRI  uint8
	EW   uint8

	Addr       uint64
	Len        int
	Data       []byte
	Mask, Val  uint64
	Scan       bool
	Sets       []swdbg.PinControl
	Events     map[uint8]swdbg.Trigger
	Sequences  [][]byte
	Init       uint8
	Telegrams  []swdbg.Telegram
	SingleLane bool
}

// NewCmd returns the `xcp dbg` command with its subcommands.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

type runFunc func(sub string, o *Options) error

func newCmd(f *cmdutil.Factory, runF runFunc) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dbg",
		Short: "Software Debugging over XCP: target memory, JTAG, HW-IO pins",
		Long: `Commands of ASAM "Software Debugging over XCP" 1.0 (the 0xC0 0xFC command
space). Every subcommand connects, sends DBG_ATTACH and then its commands;
memory access picks DBG_READ/DBG_WRITE or, when MAX_CTO_DBG < 32, the CAN
sequences, and applies the error handling of the standard (table 57).`,
	}
	for _, sub := range []struct {
		use, short, args string
		n                int
		mem              bool
		parse            func(o *Options, args []string) error
		flags            func(cmd *cobra.Command, o *Options)
	}{
		{use: "attach", short: "DBG_ATTACH and DBG_GET_MODE_INFO: version, MAX_CTO_DBG, timeouts, dialect, service level"},
		{use: "info", short: "Attach information, vendor information and the HW-IO pins"},
		{use: "jtag-id", short: "The target's JTAG ID (DBG_GET_JTAG_ID; --scan also reads IDCODE with JPL)",
			flags: func(cmd *cobra.Command, o *Options) {
				cmd.Flags().BoolVar(&o.Scan, "scan", false, "also scan the IDCODE register through the TAP with JPL and compare")
			}},
		{use: "hwio", short: "Show the HW-IO pins; --set PIN=STATE and --event PIN=TRIGGER change them",
			flags: hwioFlags},
		{use: "read ADDR LEN", short: "Read LEN bytes of target memory at ADDR", args: "ADDR LEN", n: 2, mem: true, parse: parseRead},
		{use: "write ADDR HEXBYTES", short: "Write bytes to target memory at ADDR", args: "ADDR HEXBYTES", n: 2, mem: true, parse: parseWrite},
		{use: "rmw ADDR MASK DATA", short: "Atomic read-modify-write of one element: *ADDR = (*ADDR &^ MASK) | (DATA & MASK)", args: "ADDR MASK DATA", n: 3, mem: true, parse: parseRMW},
		{use: "jpl SEQUENCE...", short: "Run JPL sequences (hex, one argument per sequence) with DBG_SEQUENCE_MULTIPLE", args: "SEQUENCE...", n: -1, parse: parseJPL,
			flags: func(cmd *cobra.Command, o *Options) {
				cmd.Flags().Bool("tms-init", false, "TMS level when the JTAG bus is requested")
				cmd.Flags().Bool("tdi-init", false, "TDI level when the JTAG bus is requested")
			}},
		{use: "llt TELEGRAM...", short: "Send low level telegrams CMD:BITS:VALUE[:RESPBITS] (Infineon DAP) with DBG_LLT", args: "TELEGRAM...", n: -1, parse: parseLLT,
			flags: func(cmd *cobra.Command, o *Options) {
				cmd.Flags().BoolVar(&o.SingleLane, "single-lane", false, "the target replies on DAP1 only (LLT mode bit 0)")
			}},
	} {
		opts := &Options{Connect: f.Connect, Printer: f.Printer, Events: map[uint8]swdbg.Trigger{}}
		name := strings.Fields(sub.use)[0]
		c := &cobra.Command{Use: sub.use, Short: sub.short}
		switch {
		case sub.n == 0:
			c.Args = cmdutil.NoArgs
		case sub.n > 0:
			c.Args = cmdutil.ExactArgs(sub.n, sub.args)
		default:
			c.Args = func(cmd *cobra.Command, args []string) error {
				if len(args) == 0 {
					return cmdutil.UsageErrorf("%s needs at least one %s", cmd.CommandPath(), sub.args)
				}
				return nil
			}
		}
		parse := sub.parse
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if ew := swdbg.ElementWidth(opts.EW); !ew.Valid() {
				return cmdutil.UsageErrorf("--ew %d: want 1, 2, 4 or 8", opts.EW)
			}
			if parse != nil {
				if err := parse(opts, args); err != nil {
					return err
				}
			}
			if name == "jpl" {
				if v, _ := cmd.Flags().GetBool("tms-init"); v {
					opts.Init |= swdbg.SeqTMSInit
				}
				if v, _ := cmd.Flags().GetBool("tdi-init"); v {
					opts.Init |= swdbg.SeqTDIInit
				}
			}
			if runF != nil {
				return runF(name, opts)
			}
			return run(cmd.Context(), name, opts)
		}
		c.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
		if sub.mem {
			c.Flags().Uint8Var(&opts.TRI, "tri", 0, "target resource identifier (appendix C of the standard)")
			c.Flags().Uint8Var(&opts.EW, "ew", 4, "element width in bytes (1, 2, 4, 8)")
		} else {
			opts.EW = 4
		}
		if sub.flags != nil {
			sub.flags(c, opts)
		}
		cmd.AddCommand(c)
	}
	return cmd
}

func parseRead(o *Options, args []string) (err error) {
	if o.Addr, err = cmdutil.ParseUint("ADDR", args[0], 64); err != nil {
		return err
	}
	n, err := cmdutil.ParseUint("LEN", args[1], 31)
	if err != nil {
		return err
	}
	if n == 0 || n > 1<<24 {
		return cmdutil.UsageErrorf("LEN %q: want 1..16 MiB", args[1])
	}
	o.Len = int(n)
	return nil
}

func parseWrite(o *Options, args []string) (err error) {
	if o.Addr, err = cmdutil.ParseUint("ADDR", args[0], 64); err != nil {
		return err
	}
	o.Data, err = cmdutil.ParseHex("HEXBYTES", args[1])
	return err
}

func parseRMW(o *Options, args []string) (err error) {
	if o.Addr, err = cmdutil.ParseUint("ADDR", args[0], 64); err != nil {
		return err
	}
	bits := 8 * int(max(1, o.EW))
	if o.Mask, err = cmdutil.ParseUint("MASK", args[1], bits); err != nil {
		return err
	}
	o.Val, err = cmdutil.ParseUint("DATA", args[2], bits)
	return err
}

func parseJPL(o *Options, args []string) error {
	o.Sequences = nil
	for i, a := range args {
		b, err := cmdutil.ParseHex(fmt.Sprintf("sequence %d", i), a)
		if err != nil {
			return err
		}
		if _, err := swdbg.ParseJPL(b); err != nil {
			return cmdutil.UsageErrorf("sequence %d: %v", i, err)
		}
		o.Sequences = append(o.Sequences, b)
	}
	return nil
}

// parseLLT parses telegrams CMD:BITS:VALUE[:RESPBITS].
func parseLLT(o *Options, args []string) error {
	o.Telegrams = nil
	for _, a := range args {
		tg, err := swdbg.ParseTelegram(a)
		if err != nil {
			return cmdutil.UsageErrorf("telegram %q: %v", a, err)
		}
		o.Telegrams = append(o.Telegrams, tg)
	}
	return nil
}

func hwioFlags(cmd *cobra.Command, o *Options) {
	var sets, events []string
	cmd.Flags().StringArrayVar(&sets, "set", nil, "set a pin: PIN=low|high|tristate|clock:HZ (repeatable)")
	cmd.Flags().StringArrayVar(&events, "event", nil, "pin event: PIN=low|high|change|off (repeatable)")
	cmd.PreRunE = func(*cobra.Command, []string) error {
		o.Sets = nil
		for _, s := range sets {
			pc, err := swdbg.ParsePinControl(s)
			if err != nil {
				return cmdutil.UsageErrorf("--set %q: %v", s, err)
			}
			o.Sets = append(o.Sets, pc)
		}
		for _, e := range events {
			pin, t, err := swdbg.ParsePinEvent(e)
			if err != nil {
				return cmdutil.UsageErrorf("--event %q: %v", e, err)
			}
			o.Events[pin] = t
		}
		return nil
	}
}

// run connects, attaches and runs one subcommand.
func run(ctx context.Context, name string, o *Options) error {
	m, done, err := o.Connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	s, err := debug.Attach(ctx, m, debug.Config{})
	if err != nil {
		return err
	}
	defer s.Close()
	p := o.Printer(o.JSON)
	tri, ew := swdbg.TRI(o.TRI), swdbg.ElementWidth(o.EW)
	switch name {
	case "attach":
		a := attachInfo(s)
		return p.Print(a, a.table())
	case "info":
		return info(ctx, s, p)
	case "jtag-id":
		return jtagID(ctx, s, p, o.Scan)
	case "hwio":
		return hwio(ctx, s, p, o)
	case "read":
		data, err := s.ReadBytes(ctx, tri, ew, o.Addr, o.Len)
		if err != nil {
			return err
		}
		if p.JSON() {
			return p.PrintJSON(struct {
				Address uint64 `json:"address"`
				Data    string `json:"data"`
			}{o.Addr, fmt.Sprintf("%X", data)})
		}
		_, err = fmt.Fprint(p.Writer(), cmdutil.HexDump(o.Addr, data))
		return err
	case "write":
		if err := s.WriteBytes(ctx, tri, ew, o.Addr, o.Data); err != nil {
			return err
		}
		return p.Print(struct {
			Address uint64 `json:"address"`
			Written int    `json:"written"`
		}{o.Addr, len(o.Data)}, cmdutil.KV("", "Written", fmt.Sprintf("%d bytes at 0x%X (TRI %d, %s)", len(o.Data), o.Addr, tri, ew)))
	case "rmw":
		v, err := s.ReadModifyWrite(ctx, tri, ew, o.Addr, o.Mask, o.Val)
		if err != nil {
			return err
		}
		return p.Print(struct {
			Address uint64 `json:"address"`
			Value   uint64 `json:"value"`
		}{o.Addr, v}, cmdutil.KV("", "Final value", fmt.Sprintf("0x%0*X", 2*int(ew), v)))
	case "jpl":
		return jpl(ctx, s, p, o)
	case "llt":
		return llt(ctx, s, p, o)
	}
	return fmt.Errorf("xcp dbg: unknown subcommand %q", name)
}
