package dbg

import (
	"context"
	"errors"
	"fmt"

	debug "github.com/goxcp/goxcp/dbg"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/protocol/swdbg"
)

// Attach is the output of `xcp dbg attach`.
type Attach struct {
	Version        string `json:"version"`
	MaxCTODbg      int    `json:"max_cto_dbg"`
	T1Ms           int64  `json:"t1_ms"`
	T7Ms           int64  `json:"t7_ms"`
	Dialect        string `json:"dialect"`
	ServiceLevel   int    `json:"service_level"`
	HaltAfterReset bool   `json:"halt_after_reset"`
	HWIOPins       int    `json:"hwio_pins"`
	SlaveBlock     bool   `json:"slave_block_mode"`
	MasterBlock    bool   `json:"master_block_mode"`
	MaxBS          int    `json:"max_bs,omitempty"`
	CAN            bool   `json:"can_commands"`
}

func attachInfo(s *debug.Session) Attach {
	i, m, b := s.Info(), s.Mode(), s.Block()
	return Attach{Version: fmt.Sprintf("%d.%d", i.Major, i.Minor), MaxCTODbg: int(i.MaxCTODbg),
		T1Ms: i.T1Duration().Milliseconds(), T7Ms: i.T7Duration().Milliseconds(), Dialect: m.Dialect.String(),
		ServiceLevel: m.ServiceLevel.Level(), HaltAfterReset: m.HaltAfterReset(), HWIOPins: int(m.MaxHWIOPins),
		SlaveBlock: b.Slave, MasterBlock: b.Master, MaxBS: b.MaxBS, CAN: s.CANCommands()}
}

func (a Attach) table() cmdutil.Table {
	yes := func(v bool) string {
		if v {
			return "yes"
		}
		return "no"
	}
	cmds := "DBG_READ / DBG_WRITE"
	if a.CAN {
		cmds = "DBG_READ_CAN1/2, DBG_WRITE_CAN1/2/NEXT"
	}
	return cmdutil.KV("SW-DBG", "Version", a.Version, "MAX_CTO_DBG", fmt.Sprint(a.MaxCTODbg),
		"Timeout t1", fmt.Sprintf("%d ms", a.T1Ms), "Timeout t7", fmt.Sprintf("%d ms", a.T7Ms),
		"Memory commands", cmds, "Dialect", a.Dialect, "Service level", fmt.Sprint(a.ServiceLevel),
		"Halt after reset", yes(a.HaltAfterReset), "HW-IO pins", fmt.Sprint(a.HWIOPins),
		"Slave block mode", yes(a.SlaveBlock), "Master block mode", yes(a.MasterBlock))
}

// Pin is one HW-IO pin in the output.
type Pin struct {
	Index  uint8  `json:"index"`
	Class  string `json:"class"`
	Mode   string `json:"mode"`
	Active string `json:"active"`
	State  string `json:"state,omitempty"`
}

func pinRows(pins []swdbg.PinInfo, states []swdbg.PinState) ([]Pin, cmdutil.Table) {
	t := cmdutil.Table{Title: "HW-IO pins", Header: []string{"Index", "Class", "Mode", "Active", "State"}}
	out := make([]Pin, len(pins))
	for i, p := range pins {
		mode := p.ModeText()
		out[i] = Pin{Index: p.Index, Class: p.Class.String(), Mode: mode, Active: p.Active.String()}
		if i < len(states) {
			out[i].State = states[i].String()
		}
		t.Add(fmt.Sprint(p.Index), out[i].Class, mode, out[i].Active, out[i].State)
	}
	return out, t
}

func info(ctx context.Context, s *debug.Session, p *cmdutil.Printer) error {
	a := attachInfo(s)
	v, err := s.VendorInfo(ctx)
	if err != nil {
		return err
	}
	var pins []swdbg.PinInfo
	if s.Mode().MaxHWIOPins > 0 {
		if pins, err = s.HWIOInfo(ctx); err != nil {
			return err
		}
	}
	rows, pt := pinRows(pins, nil)
	res := struct {
		Attach
		Vendor     uint16 `json:"vendor"`
		VendorInfo string `json:"vendor_info"`
		Pins       []Pin  `json:"pins"`
	}{a, v.Vendor, string(v.Info), rows}
	tables := []cmdutil.Table{a.table(), cmdutil.KV("Vendor", "Vendor ID", fmt.Sprintf("0x%04X", v.Vendor), "Information", string(v.Info))}
	if len(pins) > 0 {
		tables = append(tables, pt)
	}
	return p.Print(res, tables...)
}

// ErrIDMismatch is returned by `jtag-id --scan` when the scanned IDCODE
// differs from DBG_GET_JTAG_ID.
var ErrIDMismatch = errors.New("the IDCODE scanned through the TAP differs from DBG_GET_JTAG_ID")

func jtagID(ctx context.Context, s *debug.Session, p *cmdutil.Printer, scan bool) error {
	id, err := s.JTAGID(ctx)
	if err != nil {
		return err
	}
	res := struct {
		ID      uint32  `json:"jtag_id"`
		Scanned *uint32 `json:"idcode_scanned,omitempty"`
	}{ID: id}
	kv := []string{"JTAG ID", fmt.Sprintf("0x%08X", id)}
	if scan {
		sc, err := s.ScanIDCODE(ctx)
		if err != nil {
			return err
		}
		res.Scanned = &sc
		kv = append(kv, "IDCODE (JPL scan)", fmt.Sprintf("0x%08X", sc))
	}
	if err := p.Print(res, cmdutil.KV("", kv...)); err != nil {
		return err
	}
	if res.Scanned != nil && *res.Scanned != id {
		return ErrIDMismatch
	}
	return nil
}

func hwio(ctx context.Context, s *debug.Session, p *cmdutil.Printer, o *Options) error {
	res, err := s.SetPins(ctx, o.Events, o.Sets)
	if errors.Is(err, debug.ErrNoSuchPin) {
		return cmdutil.UsageErrorf("--set: %v", err)
	}
	if err != nil {
		return err
	}
	rows, t := pinRows(res.Pins, res.States)
	return p.Print(rows, t)
}

// Result is one JPL sequence result in the output.
type Result struct {
	Sequence int    `json:"sequence"`
	Status   string `json:"status"`
	Repeat   uint8  `json:"repeat_count"`
	TDO      string `json:"tdo"`
}

func jpl(ctx context.Context, s *debug.Session, p *cmdutil.Printer, o *Options) error {
	rs, err := s.RunJPL(ctx, o.Sequences, o.Init)
	out := make([]Result, len(rs))
	t := cmdutil.Table{Title: "JPL results", Header: []string{"Sequence", "Status", "Repeat count", "TDO"}}
	for i, r := range rs {
		out[i] = Result{i, r.Status.String(), r.Repeat, fmt.Sprintf("0x%08X", r.TDO)}
		t.Add(fmt.Sprint(i), out[i].Status, fmt.Sprint(r.Repeat), out[i].TDO)
	}
	if perr := p.Print(out, t); perr != nil {
		return perr
	}
	return err
}

func llt(ctx context.Context, s *debug.Session, p *cmdutil.Printer, o *Options) error {
	mode := uint8(0)
	if o.SingleLane {
		mode = swdbg.LLTSingleLane
	}
	rs, err := s.LLT(ctx, mode, o.Telegrams)
	if err != nil {
		return err
	}
	type resp struct {
		Telegram int    `json:"telegram"`
		Bits     uint8  `json:"bits"`
		Value    string `json:"value"`
	}
	out := make([]resp, len(rs))
	t := cmdutil.Table{Title: "LLT responses", Header: []string{"Telegram", "Bits", "Value"}}
	for i, r := range rs {
		v := "-"
		if r.Bits > 0 {
			v = swdbg.Bits{N: int(r.Bits), V: r.Data}.String()
		}
		out[i] = resp{i + 1, r.Bits, v}
		t.Add(fmt.Sprint(i+1), fmt.Sprint(r.Bits), v)
	}
	return p.Print(out, t)
}
