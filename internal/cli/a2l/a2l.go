// Package a2l is `xcp a2l`: inspect A2L files (ASAM MCD-2 MC): list the
// objects, show one in detail, show the IF_DATA XCP settings, and check a
// file strictly.
package a2l

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	asap2 "github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/conv"
	"github.com/goxcp/goxcp/a2l/ifxcp"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
)

// Options are what the `xcp a2l` subcommands share.
type Options struct {
	IO        *cmdutil.IOStreams
	Connect   func(context.Context) (*master.Master, func() error, error)
	Printer   func(json bool) *cmdutil.Printer
	A2L       func(context.Context, *master.Master) (*asap2.Module, error)
	FromSlave func() bool

	JSON bool
}

// NewCmd returns the `xcp a2l` command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{IO: f.IO, Connect: f.Connect, Printer: f.Printer, A2L: f.A2L, FromSlave: f.NeedsSlaveA2L}
	cmd := &cobra.Command{
		Use:   "a2l",
		Short: "Inspect A2L files: list, show NAME, ifdata, check FILE",
		Args:  cmdutil.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().BoolVar(&opts.JSON, "json", false, "print JSON")
	cmd.AddCommand(newList(opts), newShow(opts), newIfData(opts), newCheck(opts))
	return cmd
}

// module loads the A2L, connecting first only when it comes from the slave.
func (o *Options) module(ctx context.Context) (*asap2.Module, error) {
	if !o.FromSlave() {
		return o.A2L(ctx, nil)
	}
	m, done, err := o.Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	return o.A2L(ctx, m)
}

// Entry is one object in `xcp a2l list`.
type Entry struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Type    string `json:"type"`
	Address uint32 `json:"address"`
	Ext     int16  `json:"ext"`
	Size    int    `json:"size"`
	Unit    string `json:"unit,omitempty"`
	Error   string `json:"error,omitempty"`
}

func newList(o *Options) *cobra.Command {
	var kind string
	cmd := &cobra.Command{
		Use:   "list [PATTERN]",
		Short: "List measurements, characteristics, axes and blobs (with instance members)",
		Example: `  xcp --a2l ecu.a2l a2l list
  xcp --a2l ecu.a2l a2l list 'params.*' --kind characteristic
  xcp --sim a2l list --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pattern := "*"
			if len(args) == 1 {
				pattern = args[0]
			}
			if _, err := path.Match(pattern, ""); err != nil {
				return cmdutil.UsageErrorf("PATTERN %q: %v", pattern, err)
			}
			kind = strings.ToUpper(kind)
			switch kind {
			case "", "MEASUREMENT", "CHARACTERISTIC", "AXIS_PTS", "BLOB":
			default:
				return cmdutil.UsageErrorf("--kind: want measurement, characteristic, axis_pts or blob, got %q", kind)
			}
			m, err := o.module(cmd.Context())
			if err != nil {
				return err
			}
			var entries []Entry
			for _, n := range m.Names() {
				if ok, _ := path.Match(pattern, n); !ok {
					continue
				}
				e := entryOf(m, n)
				if kind != "" && e.Kind != kind {
					continue
				}
				entries = append(entries, e)
			}
			p := o.Printer(o.JSON)
			if p.JSON() {
				return p.PrintJSON(entries)
			}
			return p.Tables(listTables(entries)...)
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "", "only objects of this kind: measurement, characteristic, axis_pts, blob")
	return cmd
}

// listTables renders `xcp a2l list`: one row per object and, below, the
// objects that cannot be used with what is wrong (in the table, a long
// message would widen its column for every row).
func listTables(entries []Entry) []cmdutil.Table {
	t := cmdutil.Table{Header: []string{"NAME", "KIND", "TYPE", "ADDRESS", "EXT", "SIZE", "UNIT"}}
	errs := cmdutil.Table{Header: []string{"NAME", "PROBLEM"}}
	for _, e := range entries {
		if e.Error != "" {
			t.Add(e.Name, e.Kind, "(problem, see below)", "", "", "", "")
			errs.Add(e.Name, e.Error)
			continue
		}
		t.Add(e.Name, e.Kind, e.Type, fmt.Sprintf("0x%08X", e.Address), strconv.Itoa(int(e.Ext)), strconv.Itoa(e.Size), e.Unit)
	}
	if len(errs.Rows) == 0 {
		return []cmdutil.Table{t}
	}
	errs.Title = fmt.Sprintf("%d object(s) with a problem", len(errs.Rows))
	return []cmdutil.Table{t, errs}
}

func entryOf(m *asap2.Module, name string) Entry {
	e := Entry{Name: name}
	o, err := m.Resolve(name)
	if err != nil {
		e.Error = err.Error()
		return e
	}
	e.Kind = o.Kind.String()
	c := o.Common()
	e.Address, e.Ext = c.Address, c.AddrExt
	switch o.Kind {
	case asap2.KindMeasurement:
		e.Type = o.Measurement.DataType.String()
		if len(c.MatrixDim) > 0 {
			e.Type += fmt.Sprint(c.MatrixDim)
		}
	case asap2.KindCharacteristic:
		e.Type = o.Characteristic.Type.String()
	case asap2.KindAxisPts:
		e.Type = "AXIS_PTS"
	case asap2.KindBlob:
		e.Type = "BLOB"
	}
	d, err := cal.Describe(m, name)
	if err != nil {
		e.Error = err.Error()
		return e
	}
	e.Size = d.Size
	e.Unit = unitOf(m, o)
	return e
}

func unitOf(m *asap2.Module, o *asap2.Object) string {
	if u := o.Common().PhysUnit; u != "" {
		return u
	}
	var cname string
	switch o.Kind {
	case asap2.KindMeasurement:
		cname = o.Measurement.Conversion
	case asap2.KindCharacteristic:
		cname = o.Characteristic.Conversion
	case asap2.KindAxisPts:
		cname = o.AxisPts.Conversion
	}
	if cm := m.CompuMethod(cname); cm != nil {
		return cm.Unit
	}
	return ""
}

// Detail is the JSON of `xcp a2l show`.
type Detail struct {
	Entry
	LongID     string        `json:"long_id"`
	Conversion string        `json:"conversion"`
	ConvType   string        `json:"conversion_type"`
	Limits     asap2.Limits  `json:"limits"`
	ExtLimits  *asap2.Limits `json:"extended_limits,omitempty"`
	Layout     string        `json:"record_layout,omitempty"`
	MatrixDim  []int         `json:"matrix_dim,omitempty"`
	BitMask    string        `json:"bit_mask,omitempty"`
	ByteOrder  string        `json:"byte_order"`
	Access     string        `json:"access"`
	Events     []uint16      `json:"events,omitempty"`
	Axes       []string      `json:"axes,omitempty"`
	Defined    string        `json:"defined_at"`
	Instance   string        `json:"instance,omitempty"`
	Verbal     []string      `json:"verbal,omitempty"`
}

func newShow(o *Options) *cobra.Command {
	return &cobra.Command{
		Use:     "show NAME",
		Short:   "Show one object: address, type, layout, conversion, limits, events, axes",
		Example: "  xcp --a2l ecu.a2l a2l show params.curve",
		Args:    cmdutil.ExactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := o.module(cmd.Context())
			if err != nil {
				return err
			}
			d, err := detail(m, args[0])
			if err != nil {
				return err
			}
			p := o.Printer(o.JSON)
			if p.JSON() {
				return p.PrintJSON(d)
			}
			kv := []string{
				"name", d.Name, "kind", d.Kind + " " + d.Type, "description", d.LongID,
				"address", fmt.Sprintf("0x%08X ext %d", d.Address, d.Ext), "size", strconv.Itoa(d.Size) + " bytes",
				"conversion", d.Conversion + " (" + d.ConvType + ")", "unit", d.Unit,
				"limits", fmt.Sprintf("[%g, %g]", d.Limits.Lower, d.Limits.Upper),
				"byte order", d.ByteOrder, "access", d.Access, "defined at", d.Defined,
			}
			if d.ExtLimits != nil {
				kv = append(kv, "extended limits", fmt.Sprintf("[%g, %g]", d.ExtLimits.Lower, d.ExtLimits.Upper))
			}
			if d.Layout != "" {
				kv = append(kv, "record layout", d.Layout)
			}
			if d.MatrixDim != nil {
				kv = append(kv, "matrix dim", fmt.Sprint(d.MatrixDim))
			}
			if d.BitMask != "" {
				kv = append(kv, "bit mask", d.BitMask)
			}
			if d.Events != nil {
				kv = append(kv, "DAQ events", fmt.Sprint(d.Events))
			}
			if d.Instance != "" {
				kv = append(kv, "instance of", d.Instance)
			}
			if d.Verbal != nil {
				kv = append(kv, "values", strings.Join(d.Verbal, ", "))
			}
			for i, a := range d.Axes {
				kv = append(kv, "axis "+strconv.Itoa(i+1), a)
			}
			return p.Tables(cmdutil.KV("", kv...))
		},
	}
}

func detail(m *asap2.Module, name string) (*Detail, error) {
	e := entryOf(m, name)
	if e.Kind == "" {
		return nil, fmt.Errorf("%s", e.Error)
	}
	o, _ := m.Resolve(name)
	c := o.Common()
	d := &Detail{Entry: e, MatrixDim: c.MatrixDim, ExtLimits: c.More().ExtLimits}
	bo := m.ModCommon.ByteOrder
	if c.ByteOrder != nil {
		bo = *c.ByteOrder
	}
	d.ByteOrder = bo.String()
	if c.HasBitMask {
		d.BitMask = fmt.Sprintf("0x%X", c.BitMask)
	}
	switch o.Kind {
	case asap2.KindMeasurement:
		d.LongID, d.Conversion, d.Limits, d.Defined = o.Measurement.LongID, o.Measurement.Conversion, o.Measurement.Limits, o.Measurement.Pos.String()
		d.Access = "read"
		if c.ReadWrite {
			d.Access = "read/write"
		}
	case asap2.KindCharacteristic:
		ch := o.Characteristic
		d.LongID, d.Conversion, d.Limits, d.Layout, d.Defined = ch.LongID, ch.Conversion, ch.Limits, ch.Deposit, ch.Pos.String()
		d.Access = "read/write"
		if c.ReadOnly {
			d.Access = "read"
		}
		for _, a := range ch.Axes {
			s := fmt.Sprintf("%s input %s, conversion %s, max %d points, limits [%g, %g]", a.Attr, a.InputQuantity, a.Conversion, a.MaxAxisPoints, a.Limits.Lower, a.Limits.Upper)
			switch {
			case a.AxisPtsRef != "":
				s += ", AXIS_PTS " + a.AxisPtsRef
			case a.CurveAxisRef != "":
				s += ", CURVE " + a.CurveAxisRef
			case a.FixAxisPar != nil:
				s += fmt.Sprintf(", points %v", a.FixAxisPar.Points())
			case a.FixAxisList != nil:
				s += fmt.Sprintf(", points %v", a.FixAxisList)
			}
			d.Axes = append(d.Axes, s)
		}
	case asap2.KindAxisPts:
		ap := o.AxisPts
		d.LongID, d.Conversion, d.Limits, d.Layout, d.Defined = ap.LongID, ap.Conversion, ap.Limits, ap.Deposit, ap.Pos.String()
		d.Access = "read/write"
	case asap2.KindBlob:
		d.LongID, d.Defined, d.Access, d.Conversion = o.Blob.LongID, o.Blob.Pos.String(), "read/write", "NO_COMPU_METHOD"
	}
	if o.Instance != nil {
		d.Instance = o.Instance.Typedef + " (INSTANCE " + o.Instance.Name + " at " + o.Instance.Pos.String() + ")"
	}
	cv, err := conv.New(m, d.Conversion)
	if err != nil {
		return nil, err
	}
	d.ConvType = cv.Type.String()
	if cm := m.CompuMethod(d.Conversion); cm != nil {
		switch cm.Type {
		case asap2.Linear, asap2.RatFunc:
			d.ConvType += fmt.Sprintf(" %v", cm.Coeffs)
		case asap2.Form:
			d.ConvType += fmt.Sprintf(" %q", cm.Formula)
			if cm.FormulaInv != "" {
				d.ConvType += fmt.Sprintf(" inverse %q", cm.FormulaInv)
			}
			if f := cv.RuntimeFunc(); f != "" {
				d.ConvType += fmt.Sprintf(" (uses %s(): needs the measurement's run-time context)", f)
			}
		case asap2.TabVerb:
			if t := m.CompuVTab(cm.CompuTabRef); t != nil {
				for i := range t.In {
					d.Verbal = append(d.Verbal, fmt.Sprintf("%g=%s", t.In[i], t.Out[i]))
				}
			} else if r := m.CompuVTabRange(cm.CompuTabRef); r != nil {
				for i := range r.Min {
					d.Verbal = append(d.Verbal, fmt.Sprintf("%g..%g=%s", r.Min[i], r.Max[i], r.Out[i]))
				}
			}
		}
	}
	if ev, err := ifxcp.Events(c); err == nil && ev != nil {
		d.Events = append(append([]uint16{}, ev.Fixed...), ev.Default...)
	}
	return d, nil
}

func newIfData(o *Options) *cobra.Command {
	return &cobra.Command{
		Use:   "ifdata",
		Short: "Show the IF_DATA XCP settings: protocol layer, DAQ events, transports",
		Args:  cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := o.module(cmd.Context())
			if err != nil {
				return err
			}
			x, err := ifxcp.Decode(m)
			if err != nil {
				return err
			}
			if x == nil {
				return fmt.Errorf("module %s has no IF_DATA XCP", m.Name)
			}
			p := o.Printer(o.JSON)
			if p.JSON() {
				return p.PrintJSON(x)
			}
			var tables []cmdutil.Table
			if pl := x.Protocol; pl != nil {
				tables = append(tables, cmdutil.KV("protocol layer",
					"version", fmt.Sprintf("%d.%d", pl.Version>>8, pl.Version&0xFF),
					"T1..T7", fmt.Sprint(pl.T),
					"MAX_CTO", strconv.Itoa(pl.MaxCTO), "MAX_DTO", strconv.Itoa(pl.MaxDTO),
					"byte order", pl.ByteOrder.String(), "address granularity", strconv.Itoa(pl.AddressGranularity),
					"optional commands", strings.Join(pl.OptionalCmds, " ")))
			}
			if d := x.DAQ; d != nil {
				mode := "STATIC"
				if d.Dynamic {
					mode = "DYNAMIC"
				}
				kv := []string{"mode", mode, "MAX_DAQ", strconv.Itoa(d.MaxDAQ), "event channels", strconv.Itoa(d.MaxEventChannels),
					"identification field", d.IdentificationField, "max ODT entry size", strconv.Itoa(d.MaxODTEntrySize)}
				if ts := d.Timestamp; ts != nil {
					kv = append(kv, "timestamp", fmt.Sprintf("%d bytes, tick %v, fixed %v", ts.Size, ts.Tick, ts.Fixed))
				}
				tables = append(tables, cmdutil.KV("DAQ", kv...))
				et := cmdutil.Table{Title: "events", Header: []string{"CHANNEL", "NAME", "SHORT", "DIRECTION", "PERIOD", "PRIORITY"}}
				for _, e := range d.Events {
					et.Add(strconv.Itoa(int(e.Channel)), e.Name, e.ShortName, e.Direction, e.Period.String(), strconv.Itoa(e.Priority))
				}
				tables = append(tables, et)
			}
			for _, t := range x.Transports {
				kv := []string{"version", fmt.Sprintf("0x%04X", t.Version)}
				switch t.Kind {
				case "TCP_IP", "UDP_IP":
					kv = append(kv, "host", t.Host, "port", strconv.Itoa(t.Port))
				case "CAN":
					kv = append(kv, "master ID", fmt.Sprintf("0x%X", t.CANIDMaster), "slave ID", fmt.Sprintf("0x%X", t.CANIDSlave), "baudrate", strconv.Itoa(int(t.Baudrate)))
				case "SxI":
					kv = append(kv, "baudrate", strconv.Itoa(int(t.Baudrate)), "header", t.HeaderLen, "checksum", t.Checksum)
				}
				tables = append(tables, cmdutil.KV("XCP_ON_"+t.Kind, kv...))
			}
			return p.Tables(tables...)
		},
	}
}

// Report is the JSON of `xcp a2l check`.
type Report struct {
	File     string         `json:"file"`
	OK       bool           `json:"ok"`
	Version  string         `json:"asap2_version"`
	Project  string         `json:"project"`
	Counts   map[string]int `json:"counts"`
	Problems []string       `json:"problems"`
	Warnings []string       `json:"warnings"`
}

func newCheck(o *Options) *cobra.Command {
	return &cobra.Command{
		Use:   "check FILE",
		Short: "Check an A2L file strictly and list every problem with file:line:column",
		Long: `Parse FILE strictly (ASAP2 1.5-1.71, following /include), then leniently to
list every problem; decode IF_DATA XCP; compute the layout of every object.
Exit status 1 if there is any problem. Warnings (e.g. repeated
definitions) do not fail the check.`,
		Example: "  xcp a2l check ecu.a2l",
		Args:    cmdutil.ExactArgs(1, "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r := &Report{File: args[0], Counts: map[string]int{}}
			_, strictErr := asap2.ParseFile(args[0], asap2.Options{})
			f, err := asap2.ParseFile(args[0], asap2.Options{Lenient: true})
			if err != nil {
				return err
			}
			for _, p := range f.Problems {
				r.Problems = append(r.Problems, p.Error())
			}
			if strictErr != nil && len(r.Problems) == 0 {
				r.Problems = append(r.Problems, strictErr.Error())
			}
			for _, w := range f.Warnings {
				r.Warnings = append(r.Warnings, w.Error())
			}
			r.Version = fmt.Sprintf("%d.%d", f.ASAP2Version.Major, f.ASAP2Version.Minor)
			r.Project = f.Project.Name
			for _, m := range f.Modules {
				r.Counts["MEASUREMENT"] += len(m.Measurements)
				r.Counts["CHARACTERISTIC"] += len(m.Characteristics)
				r.Counts["AXIS_PTS"] += len(m.AxisPts)
				r.Counts["COMPU_METHOD"] += len(m.CompuMethods)
				r.Counts["RECORD_LAYOUT"] += len(m.RecordLayouts)
				r.Counts["TYPEDEF_STRUCTURE"] += len(m.TypedefStructures)
				r.Counts["INSTANCE"] += len(m.Instances)
				r.Counts["GROUP"] += len(m.Groups)
				if _, err := ifxcp.Decode(m); err != nil {
					r.Problems = append(r.Problems, err.Error())
				}
				for _, s := range m.ModPar.MemorySegments {
					if _, err := ifxcp.DecodeSegment(s); err != nil {
						r.Problems = append(r.Problems, err.Error())
					}
				}
				badConv := map[string]bool{}
				for _, cm := range m.CompuMethods {
					c, err := conv.FromMethod(m, cm)
					switch {
					case err != nil:
						badConv[cm.Name] = true
						if !mentions(f.Problems, "COMPU_METHOD "+cm.Name+" ") { // the parser has not said it already
							r.Problems = append(r.Problems, cm.Pos.String()+": "+err.Error())
						}
					case c.RuntimeFunc() != "":
						r.Warnings = append(r.Warnings, fmt.Sprintf("%s: COMPU_METHOD %s: formula %q uses %s(), which needs the measurement's run-time context: its physical values cannot be computed from raw values alone", cm.Pos, cm.Name, cm.Formula, c.RuntimeFunc()))
					}
				}
				for _, n := range m.Names() {
					if _, err := cal.Describe(m, n); err != nil {
						if usesBadConv(err, badConv) {
							continue // reported once with the COMPU_METHOD
						}
						msg := err.Error()
						if o, rerr := m.Resolve(n); rerr == nil {
							msg = o.Pos().String() + ": " + msg
						}
						r.Problems = append(r.Problems, msg)
					}
				}
			}
			r.OK = len(r.Problems) == 0
			p := o.Printer(o.JSON)
			var perr error
			if p.JSON() {
				perr = p.PrintJSON(r)
			} else {
				kv := []string{"file", r.File, "ASAP2 version", r.Version, "project", r.Project}
				for _, k := range []string{"MEASUREMENT", "CHARACTERISTIC", "AXIS_PTS", "COMPU_METHOD", "RECORD_LAYOUT", "TYPEDEF_STRUCTURE", "INSTANCE", "GROUP"} {
					kv = append(kv, k, strconv.Itoa(r.Counts[k]))
				}
				tables := []cmdutil.Table{cmdutil.KV("", kv...)}
				if len(r.Problems) > 0 {
					t := cmdutil.Table{Title: fmt.Sprintf("%d problem(s)", len(r.Problems))}
					for _, s := range r.Problems {
						t.Add(s)
					}
					tables = append(tables, t)
				}
				if len(r.Warnings) > 0 {
					t := cmdutil.Table{Title: fmt.Sprintf("%d warning(s)", len(r.Warnings))}
					for _, s := range r.Warnings {
						t.Add(s)
					}
					tables = append(tables, t)
				}
				perr = p.Tables(tables...)
			}
			if perr != nil {
				return perr
			}
			if !r.OK {
				return fmt.Errorf("%s: %d problem(s)", r.File, len(r.Problems))
			}
			fmt.Fprintf(o.IO.ErrOut, "%s: OK\n", r.File)
			return nil
		},
	}
}

// usesBadConv reports whether err comes from one of the COMPU_METHODs
// whose own problem is already reported.
func usesBadConv(err error, bad map[string]bool) bool {
	msg := err.Error()
	for name := range bad {
		if strings.Contains(msg, "conv: COMPU_METHOD "+name+" (") {
			return true
		}
	}
	return false
}

// mentions reports whether one of the problems contains s.
func mentions(problems []*asap2.Problem, s string) bool {
	for _, p := range problems {
		if strings.Contains(p.Msg, s) {
			return true
		}
	}
	return false
}
