// Package info is `xcp info`: it prints what slaveinfo.Gather finds out
// about the slave — the CONNECT properties, GET_VERSION,
// GET_COMM_MODE_INFO, GET_STATUS with the protection of every resource, the
// GET_ID identifications, the DAQ processor, resolution and event channels,
// and the calibration paging (PAG) and flash programming (PGM) layout — as
// tables or JSON.
package info

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/pgm"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/slaveinfo"
)

// Options are the parsed arguments of `xcp info`.
type Options struct {
	Connect func(context.Context) (*master.Master, func() error, error)
	Printer func(json bool) *cmdutil.Printer

	Parts slaveinfo.Parts
	JSON  bool
}

// NewCmd returns the `xcp info` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

func newCmd(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Connect: f.Connect, Printer: f.Printer}
	var noIDs, noDAQ, noPAG, noPGM bool
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Show what the slave supports: CONNECT properties, status, protection, IDs, DAQ, PAG and PGM",
		Example: `  xcp --sim info
  xcp --host 192.168.1.10 --protocol udp info --json`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Parts = slaveinfo.Parts{IDs: !noIDs, DAQ: !noDAQ, PAG: !noPAG, PGM: !noPGM}
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&noIDs, "no-ids", false, "skip the GET_ID identifications")
	fl.BoolVar(&noDAQ, "no-daq", false, "skip the DAQ processor, resolution and event information")
	fl.BoolVar(&noPAG, "no-pag", false, "skip calibration paging (segments and pages)")
	fl.BoolVar(&noPGM, "no-pgm", false, "skip flash programming (sectors)")
	fl.BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	m, done, err := opts.Connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	r, err := slaveinfo.Gather(ctx, m, opts.Parts)
	if err != nil {
		return err
	}
	return opts.Printer(opts.JSON).Print(r, tables(r)...)
}

// tables renders the report for people.
func tables(r *slaveinfo.Report) []cmdutil.Table {
	c := r.Connect
	ts := []cmdutil.Table{
		cmdutil.KV("Transport", "Kind", r.Transport.Kind, "Local", r.Transport.Local, "Remote", r.Transport.Remote),
		cmdutil.KV("Slave properties (CONNECT)",
			"Resources", orDash(strings.Join(c.Resources, ", ")),
			"Byte order", c.ByteOrder,
			"Address granularity", fmt.Sprintf("%d byte(s)", c.AddressGranule),
			"Slave block mode", yesNo(c.SlaveBlockMode),
			"Optional comm mode", yesNo(c.OptionalCommMode),
			"MAX_CTO", strconv.Itoa(c.MaxCTO),
			"MAX_DTO", strconv.Itoa(c.MaxDTO),
			"Protocol layer version", strconv.Itoa(c.ProtocolLayer),
			"Transport layer version", strconv.Itoa(c.TransportLayer)),
	}
	if v := r.Version; v != nil {
		if v.NotSupported != "" {
			ts = append(ts, cmdutil.KV("Version (GET_VERSION)", "GET_VERSION", v.NotSupported))
		} else {
			ts = append(ts, cmdutil.KV("Version (GET_VERSION)", "Protocol layer", v.Protocol, "Transport layer", v.Transport))
		}
	}
	if cm := r.CommMode; cm != nil {
		if cm.NotSupported != "" {
			ts = append(ts, cmdutil.KV("Communication mode (GET_COMM_MODE_INFO)", "GET_COMM_MODE_INFO", cm.NotSupported))
		} else {
			ts = append(ts, cmdutil.KV("Communication mode (GET_COMM_MODE_INFO)",
				"Master block mode", yesNo(cm.MasterBlockMode),
				"Interleaved mode", yesNo(cm.Interleaved),
				"MAX_BS", strconv.Itoa(cm.MaxBS),
				"MIN_ST", fmt.Sprintf("%d µs", cm.MinSTMicros),
				"Queue size", strconv.Itoa(cm.QueueSize),
				"Driver version", cm.DriverVersion))
		}
	}
	st := cmdutil.KV("Status (GET_STATUS)",
		"Session status", fmt.Sprintf("%s (0x%02X)", r.Status.Session, r.Status.SessionBits),
		"State number", strconv.Itoa(r.Status.StateNumber),
		"Session configuration id", strconv.Itoa(r.Status.SessionConfigID))
	ts = append(ts, st)
	prot := cmdutil.Table{Title: "Protection", Header: []string{"Resource", "Protected"}}
	for _, res := range []string{"CAL/PAG", "DAQ", "STIM", "PGM", "DBG"} {
		locked, ok := r.Status.Protection[res]
		if ok {
			prot.Add(res, yesNo(locked))
		}
	}
	ts = append(ts, prot)
	if len(r.IDs) > 0 {
		t := cmdutil.Table{Title: "Identification (GET_ID)", Header: []string{"Type", "Name", "Value"}}
		for _, id := range r.IDs {
			v := id.Value
			if id.NotSupported != "" {
				v = id.NotSupported
			}
			t.Add(strconv.Itoa(int(id.Type)), id.Name, v)
		}
		ts = append(ts, t)
	}
	ts = append(ts, daqTables(r.DAQ)...)
	if p := r.PAG; p != nil {
		if p.NotSupported != "" {
			ts = append(ts, cmdutil.KV("Calibration paging (PAG)", "PAG", p.NotSupported))
		} else {
			ts = append(ts, cmdutil.KV("Calibration paging (PAG)", "Segments", strconv.Itoa(p.MaxSegments), "FREEZE mode", yesNo(p.FreezeSupported)))
			t := cmdutil.Table{Title: "Segments", Header: []string{"Seg", "Address", "Length", "Ext", "Pages", "ECU page", "XCP page", "Page access (ECU, XCP Read, XCP Write)"}}
			for _, s := range p.Segments {
				if s.Error != "" {
					t.Add(strconv.Itoa(s.Number), s.Error)
					continue
				}
				var access []string
				for _, pg := range s.Pages {
					access = append(access, fmt.Sprintf("%d:%s", pg.Number, shortAccess(pg.Properties)))
				}
				t.Add(strconv.Itoa(s.Number), fmt.Sprintf("0x%08X", s.Address), fmt.Sprintf("0x%X", s.Length), strconv.Itoa(s.Ext),
					strconv.Itoa(len(s.Pages)), intPtr(s.ECUPage), intPtr(s.XCPPage), strings.Join(access, " "))
			}
			if len(t.Rows) > 0 {
				ts = append(ts, t)
			}
		}
	}
	if p := r.PGM; p != nil {
		if p.NotSupported != "" {
			ts = append(ts, cmdutil.KV("Flash programming (PGM)", "PGM", p.NotSupported))
		} else {
			ts = append(ts, cmdutil.KV("Flash programming (PGM)", "Properties", fmt.Sprintf("0x%02X (%s)", p.Properties, pgm.PropertiesString(p.Properties)), "Sectors", strconv.Itoa(p.MaxSectors)))
			t := cmdutil.Table{Title: "Sectors", Header: []string{"Sector", "Address", "Length", "Clear seq", "Program seq", "Method"}}
			for _, s := range p.Sectors {
				if s.Error != "" {
					t.Add(strconv.Itoa(s.Number), s.Error)
					continue
				}
				t.Add(strconv.Itoa(s.Number), fmt.Sprintf("0x%08X", s.Address), fmt.Sprintf("0x%X", s.Length),
					strconv.Itoa(s.ClearSequence), strconv.Itoa(s.ProgramSequence), strconv.Itoa(s.Method))
			}
			if len(t.Rows) > 0 {
				ts = append(ts, t)
			}
		}
	}
	if len(r.Notes) > 0 || len(r.Errors) > 0 || len(r.Skipped) > 0 {
		t := cmdutil.Table{Title: "Notes"}
		for _, n := range r.Notes {
			t.Add(n)
		}
		for _, e := range r.Errors {
			t.Add(e.Part + " failed: " + e.Error)
		}
		if len(r.Skipped) > 0 {
			t.Add("skipped: " + strings.Join(r.Skipped, ", "))
		}
		ts = append(ts, t)
	}
	return ts
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func intPtr(p *int) string {
	if p == nil {
		return "-"
	}
	return strconv.Itoa(*p)
}

// shortAccess abbreviates PAGE_PROPERTIES: E (the ECU may access the
// page), R (XCP may read it), W (XCP may write it), "-" for none.
func shortAccess(p uint8) string {
	s := ""
	if p&(xcp.PageECUAccessWithoutXCP|xcp.PageECUAccessWithXCP) != 0 {
		s += "E"
	}
	if p&(xcp.PageXCPReadWithoutECU|xcp.PageXCPReadWithECU) != 0 {
		s += "R"
	}
	if p&(xcp.PageXCPWriteWithoutECU|xcp.PageXCPWriteWithECU) != 0 {
		s += "W"
	}
	if s == "" {
		return "-"
	}
	return s
}
