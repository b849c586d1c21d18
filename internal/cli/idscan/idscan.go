// Package idscan is `xcp id-scan`: find XCP-on-CAN slaves on a bus, either
// with GET_SLAVE_ID on the broadcast identifier or by sending CONNECT on
// every identifier of a range and reporting the ones that answer.
package idscan

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/transport/can"
)

// Options are the parsed arguments of `xcp id-scan`.
type Options struct {
	OpenBus func(context.Context) (*connect.CANBus, error)
	Printer func(json bool) *cmdutil.Printer
	IO      *cmdutil.IOStreams

	Broadcast   uint32 // 0 = can_id_broadcast
	RangeSet    bool
	First, Last uint32
	Wait        time.Duration // per identifier (range) or in total (broadcast)
	JSON        bool
}

// NewCmd returns the `xcp id-scan` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{OpenBus: f.OpenCANBus, Printer: f.Printer, IO: f.IO}
	var rng, bcast string
	cmd := &cobra.Command{
		Use:   "id-scan",
		Short: "Find XCP-on-CAN slaves (GET_SLAVE_ID on the broadcast id, or CONNECT over an id range)",
		Long: `Find XCP-on-CAN slaves on the bus of [transport.can].

Without --range, GET_SLAVE_ID is sent on the broadcast identifier
(--broadcast, else can_id_broadcast) and every answer within --wait is
listed: the identifier the slave answered on (its can_id_slave) and the
command identifier it reports (its can_id_master).

With --range FIRST-LAST, CONNECT is sent on every identifier of the range
(--wait per identifier); a slave that answers is listed with the identifier
of its answer and sent DISCONNECT again; the identifiers done, the rate
and the time left show on stderr (in place on a terminal, a plain line
every 5 s otherwise). Identifiers use the A2L
convention: bit 31 (0x80000000) marks a 29-bit identifier.`,
		Example: `  xcp --sim id-scan
  xcp --sim id-scan --range 0x100-0x10F
  xcp id-scan --range 0x700-0x7FF --wait 20ms     # with [transport.can] configured`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if bcast != "" {
				if opts.Broadcast, err = parseID(bcast); err != nil {
					return cmdutil.UsageErrorf("--broadcast: %v", err)
				}
			}
			if rng != "" {
				a, b, ok := strings.Cut(rng, "-")
				if !ok {
					return cmdutil.UsageErrorf("--range: want FIRST-LAST (e.g. 0x700-0x7FF), got %q", rng)
				}
				if opts.First, err = parseID(a); err != nil {
					return cmdutil.UsageErrorf("--range: %v", err)
				}
				if opts.Last, err = parseID(b); err != nil {
					return cmdutil.UsageErrorf("--range: %v", err)
				}
				lo, _ := can.ParseID(opts.First)
				hi, _ := can.ParseID(opts.Last)
				if lo.Extended != hi.Extended || lo.Value > hi.Value {
					return cmdutil.UsageErrorf("--range: 0x%s-0x%s is empty or mixes 11- and 29-bit identifiers", lo, hi)
				}
				opts.RangeSet = true
			}
			if opts.Wait <= 0 {
				return cmdutil.UsageErrorf("--wait: must be positive, got %s", opts.Wait)
			}
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&rng, "range", "", "send CONNECT on every identifier `FIRST-LAST` (e.g. 0x700-0x7FF)")
	fl.StringVar(&bcast, "broadcast", "", "broadcast `ID` for GET_SLAVE_ID (default: can_id_broadcast)")
	fl.DurationVar(&opts.Wait, "wait", 0, "how long to wait for answers (per identifier with --range; default 500ms, with --range 50ms)")
	fl.BoolVar(&opts.JSON, "json", false, "print JSON")
	cmd.PreRun = func(cmd *cobra.Command, _ []string) {
		if !cmd.Flags().Changed("wait") {
			opts.Wait = 500 * time.Millisecond
			if rng != "" {
				opts.Wait = 50 * time.Millisecond
			}
		}
	}
	return cmd
}

// parseID parses a decimal or 0x-hex identifier (bit-31 convention).
func parseID(s string) (uint32, error) {
	v, err := strconv.ParseUint(strings.TrimSpace(s), 0, 32)
	if err != nil {
		return 0, fmt.Errorf("not a CAN identifier: %q", s)
	}
	if _, err := can.ParseID(uint32(v)); err != nil {
		return 0, err
	}
	return uint32(v), nil
}

// Slave is one slave found by GET_SLAVE_ID.
type Slave struct {
	ResponseID uint32 `json:"can_id_slave"`  // bit-31 convention
	CmdID      uint32 `json:"can_id_master"` // bit-31 convention
	ByteOrder  string `json:"byte_order"`
}

// Responder is one identifier that answered CONNECT.
type Responder struct {
	MasterID  uint32 `json:"can_id_master"`
	SlaveID   uint32 `json:"can_id_slave"`
	MaxCTO    int    `json:"max_cto"`
	MaxDTO    int    `json:"max_dto"`
	ByteOrder string `json:"byte_order"`
}

// Result is the output of `xcp id-scan`.
type Result struct {
	Mode       string      `json:"mode"` // "broadcast" or "range"
	Slaves     []Slave     `json:"slaves,omitempty"`
	Responders []Responder `json:"responders,omitempty"`
}

func run(ctx context.Context, opts *Options) error {
	b, err := opts.OpenBus(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	if opts.RangeSet {
		return scanRange(ctx, opts, b)
	}
	bc := opts.Broadcast
	if bc == 0 {
		bc = b.Config.CanIDBroadcast
	}
	if bc == 0 {
		return cmdutil.UsageErrorf("no broadcast identifier: set transport.can.can_id_broadcast or --broadcast (or scan with --range)")
	}
	found, err := can.DetectSlaves(ctx, b.Bus, b.Config, bc, opts.Wait)
	if err != nil {
		return err
	}
	res := Result{Mode: "broadcast", Slaves: []Slave{}}
	bid, _ := can.ParseID(bc)
	t := cmdutil.Table{Title: fmt.Sprintf("GET_SLAVE_ID on %s: %d slave(s)", idText(bid), len(found)), Header: []string{"Answer on (can_id_slave)", "Commands on (can_id_master)", "Byte order"}}
	for _, s := range found {
		res.Slaves = append(res.Slaves, Slave{ResponseID: s.ResponseID.Raw(), CmdID: s.CmdID.Raw(), ByteOrder: s.Order.String()})
		t.Add(idText(s.ResponseID), idText(s.CmdID), s.Order.String())
	}
	return opts.Printer(opts.JSON).Print(res, t)
}

func scanRange(ctx context.Context, opts *Options, b *connect.CANBus) error {
	prog := opts.IO.Progress("id-scan", cmdutil.ProgressItems)
	rs, err := can.ScanConnect(ctx, b.Bus, b.Config, opts.First, opts.Last, opts.Wait, prog.Update)
	prog.Done()
	if err != nil {
		return err
	}
	res := Result{Mode: "range", Responders: []Responder{}}
	lo, _ := can.ParseID(opts.First)
	hi, _ := can.ParseID(opts.Last)
	t := cmdutil.Table{Title: fmt.Sprintf("CONNECT on %s-%s: %d responder(s)", idText(lo), idText(hi), len(rs)), Header: []string{"CONNECT on (can_id_master)", "Answer on (can_id_slave)", "MAX_CTO", "MAX_DTO", "Byte order"}}
	for _, r := range rs {
		cr := r.Connect
		x := Responder{MasterID: r.MasterID.Raw(), SlaveID: r.SlaveID.Raw(), MaxCTO: int(cr.MaxCTO), MaxDTO: int(cr.MaxDTO), ByteOrder: cr.Order().String()}
		res.Responders = append(res.Responders, x)
		t.Add(idText(r.MasterID), idText(r.SlaveID), fmt.Sprint(x.MaxCTO), fmt.Sprint(x.MaxDTO), x.ByteOrder)
	}
	return opts.Printer(opts.JSON).Print(res, t)
}

// idText shows an identifier as 0x7E1 or 0x12345 (29-bit).
func idText(id can.ID) string {
	if id.Extended {
		return fmt.Sprintf("0x%08X (29-bit)", id.Value)
	}
	return fmt.Sprintf("0x%03X", id.Value)
}
