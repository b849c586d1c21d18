// Package page is `xcp page`: the calibration segments and pages of an
// ECU (GET_PAG_PROCESSOR_INFO, GET_SEGMENT_INFO, GET_PAGE_INFO,
// GET_CAL_PAGE), switching the active page for ECU and/or XCP access
// (SET_CAL_PAGE) and copying pages (COPY_CAL_PAGE).
package page

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// Options are the parsed arguments of `xcp page`.
type Options struct {
	IO      *cmdutil.IOStreams
	Connect func(context.Context) (*master.Master, func() error, error)
	Printer func(json bool) *cmdutil.Printer

	JSON    bool
	Segment int  // --segment (-1: all segments)
	ECU     bool // --ecu
	XCP     bool // --xcp
}

// NewCmd returns the `xcp page` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{IO: f.IO, Connect: f.Connect, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "page",
		Short: "Show calibration segments and pages; switch (set) and copy pages",
		Long: `Without a subcommand: the calibration segments of the ECU, their pages with
their access properties, and the page the ECU and XCP use in each.`,
		Example: `  xcp --sim page
  xcp --sim page set 1 --segment 0 --xcp
  xcp --sim page copy 0:0 0:1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runShow(cmd.Context(), opts) },
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	cmd.AddCommand(newSet(opts), newCopy(opts))
	return cmd
}

func newSet(opts *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set PAGE",
		Short: "Make PAGE the active page of a segment (or all) for the ECU and/or XCP (SET_CAL_PAGE)",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.UsageErrorf("page set needs the PAGE number")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			pg, err := parseByte("PAGE", args[0])
			if err != nil {
				return err
			}
			if opts.Segment < -1 || opts.Segment > 255 {
				return cmdutil.UsageErrorf("--segment %d: want 0..255 (or -1 for all)", opts.Segment)
			}
			return runSet(cmd.Context(), opts, pg)
		},
	}
	cmd.Flags().IntVar(&opts.Segment, "segment", -1, "segment number (-1: all segments)")
	cmd.Flags().BoolVar(&opts.ECU, "ecu", false, "switch the page the ECU uses")
	cmd.Flags().BoolVar(&opts.XCP, "xcp", false, "switch the page XCP accesses (default with --ecu: both)")
	return cmd
}

func newCopy(opts *Options) *cobra.Command {
	return &cobra.Command{
		Use:   "copy SEG:PAGE SEG:PAGE",
		Short: "Copy a calibration page to another (COPY_CAL_PAGE)",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return cmdutil.UsageErrorf("page copy needs source and destination as SEGMENT:PAGE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var sp [2][2]uint8
			for i, a := range args {
				seg, pg, ok := strings.Cut(a, ":")
				if !ok {
					return cmdutil.UsageErrorf("%q: want SEGMENT:PAGE", a)
				}
				var err error
				if sp[i][0], err = parseByte("SEGMENT", seg); err != nil {
					return err
				}
				if sp[i][1], err = parseByte("PAGE", pg); err != nil {
					return err
				}
			}
			return runCopy(cmd.Context(), opts, sp[0], sp[1])
		},
	}
}

func parseByte(what, s string) (uint8, error) {
	v, err := strconv.ParseUint(s, 0, 8)
	if err != nil {
		return 0, cmdutil.UsageErrorf("%s %q: want a number 0..255", what, s)
	}
	return uint8(v), nil
}

func runShow(ctx context.Context, opts *Options) error {
	m, done, err := opts.Connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	pages, err := m.ReadCalPages(ctx)
	if err != nil {
		return err
	}
	p := opts.Printer(opts.JSON)
	if p.JSON() {
		return p.PrintJSON(pages)
	}
	freeze := "no"
	if pages.FreezeSupported {
		freeze = "yes"
	}
	tables := []cmdutil.Table{cmdutil.KV("Calibration paging", "segments", strconv.Itoa(pages.MaxSegments), "freeze mode", freeze)}
	seg := cmdutil.Table{Title: "Segments", Header: []string{"Segment", "Address", "Length", "Ext", "Pages", "ECU page", "XCP page"}}
	pg := cmdutil.Table{Title: "Pages", Header: []string{"Segment", "Page", "Init segment", "Access"}}
	for _, s := range pages.Segments {
		seg.Add(strconv.Itoa(int(s.Number)), fmt.Sprintf("0x%08X", s.Address), fmt.Sprintf("0x%X", s.Length),
			strconv.Itoa(int(s.Info.Ext)), strconv.Itoa(len(s.Pages)), strconv.Itoa(int(s.ECUPage)), strconv.Itoa(int(s.XCPPage)))
		for _, q := range s.Pages {
			pg.Add(strconv.Itoa(int(s.Number)), strconv.Itoa(int(q.Number)), strconv.Itoa(int(q.InitSegment)), q.Access())
		}
	}
	return p.Tables(append(tables, seg, pg)...)
}

func runSet(ctx context.Context, opts *Options, page uint8) error {
	var mode xcp.CalPageMode
	if opts.ECU {
		mode |= xcp.CalPageECU
	}
	if opts.XCP {
		mode |= xcp.CalPageXCP
	}
	if mode == 0 {
		mode = xcp.CalPageECU | xcp.CalPageXCP
	}
	seg := uint8(0)
	if opts.Segment < 0 {
		mode |= xcp.CalPageAll
	} else {
		seg = uint8(opts.Segment)
	}
	m, done, err := opts.Connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	if err := m.SetCalPage(ctx, mode, seg, page); err != nil {
		return err
	}
	who := map[xcp.CalPageMode]string{xcp.CalPageECU: "the ECU", xcp.CalPageXCP: "XCP", xcp.CalPageECU | xcp.CalPageXCP: "the ECU and XCP"}[mode&^xcp.CalPageAll]
	where := fmt.Sprintf("segment %d", seg)
	if opts.Segment < 0 {
		where = "every segment"
	}
	fmt.Fprintf(opts.IO.ErrOut, "%s now use(s) page %d of %s\n", who, page, where)
	return nil
}

func runCopy(ctx context.Context, opts *Options, src, dst [2]uint8) error {
	m, done, err := opts.Connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	if err := m.CopyCalPage(ctx, src[0], src[1], dst[0], dst[1]); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "copied segment %d page %d to segment %d page %d\n", src[0], src[1], dst[0], dst[1])
	return nil
}
