package slaveinfo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
)

// Parts selects what Gather asks for beyond CONNECT, GET_VERSION,
// GET_COMM_MODE_INFO and GET_STATUS. The zero value asks for nothing more;
// All asks for everything.
type Parts struct {
	IDs bool // GET_ID of every identification type
	DAQ bool // DAQ processor, resolution and event channels
	PAG bool // calibration segments and pages
	PGM bool // flash sectors
}

// All selects every part.
var All = Parts{IDs: true, DAQ: true, PAG: true, PGM: true}

// maxIDShown is the largest identification (in bytes) uploaded for
// display; longer ones (e.g. the A2L of type 4) are reported by length.
const maxIDShown = 1024

// idTypes are the identification types queried.
var idTypes = []xcp.IDType{xcp.IDASCII, xcp.IDFilename, xcp.IDFilePath, xcp.IDURL, xcp.IDFile, xcp.IDEPK, xcp.IDECU, xcp.IDSysID}

type gatherer struct {
	ctx     context.Context
	s       Session
	r       *Report
	keyHint bool // the seed & key note was added
}

// Gather asks a connected slave everything it tells about itself and
// returns it as a Report. Optional commands the slave lacks are reported as
// not supported (the part's NotSupported reason, or a note), other negative
// responses are collected in Report.Errors (a locked resource adds a note on
// seed & key); only failures of the connection (timeouts, a closed
// connection) end it with an error, returned with the report gathered so far.
// When s also has Conn() transport.Conn (as *master.Master does), the
// report's Transport describes that connection.
func Gather(ctx context.Context, s Session, parts Parts) (*Report, error) {
	g := &gatherer{ctx: ctx, s: s, r: &Report{}}
	if c, ok := s.(interface{ Conn() transport.Conn }); ok && c.Conn() != nil {
		ci := c.Conn().Info()
		g.r.Transport = Transport{Kind: ci.Kind, Local: ci.Local, Remote: ci.Remote}
	}
	g.connect()
	for _, step := range []struct {
		on   bool
		name string
		f    func() error
	}{
		{true, "", g.version},
		{true, "", g.commMode},
		{true, "", g.status},
		{parts.IDs, "ids", g.ids},
		{parts.DAQ, "daq", g.daq},
		{parts.PAG, "pag", g.pag},
		{parts.PGM, "pgm", g.pgm},
	} {
		if !step.on {
			g.r.Skipped = append(g.r.Skipped, step.name)
			continue
		}
		if err := step.f(); err != nil {
			return g.r, err
		}
	}
	return g.r, nil
}

// check sorts the error of an optional command: ok is true on success; a
// command the slave does not know yields its reason in notSup; another
// negative response is recorded in the report's errors; anything else
// (timeout, connection loss) is returned as fatal.
func (g *gatherer) check(part string, err error) (ok bool, notSup string, fatal error) {
	if err == nil {
		return true, "", nil
	}
	ns, err := optional(err)
	if ns != "" {
		return false, ns, nil
	}
	var xe *xcp.Error
	if errors.As(err, &xe) {
		g.r.Errors = append(g.r.Errors, CmdError{Part: part, Error: err.Error()})
		if errors.Is(err, xcp.ErrAccessLocked) && !g.keyHint {
			g.keyHint = true
			g.r.Notes = append(g.r.Notes, "locked resources need seed & key: set general.seed_n_key_command in the configuration")
		}
		return false, "", nil
	}
	return false, "", fmt.Errorf("%s: %w", part, err)
}

func (g *gatherer) connect() {
	c := g.s.ConnectInfo()
	var res []string
	for _, r := range xcp.AllResources() {
		if c.Resource&r != 0 {
			res = append(res, r.String())
		}
	}
	ag, err := c.Granularity()
	agBytes := 0
	if err == nil {
		agBytes = ag.Size()
	}
	g.r.Connect = Connect{
		Resources:        res,
		ByteOrder:        c.Order().String(),
		AddressGranule:   agBytes,
		SlaveBlockMode:   c.SlaveBlockMode(),
		OptionalCommMode: c.CommModeBasic&xcp.CommModeOptional != 0,
		MaxCTO:           int(c.MaxCTO),
		MaxDTO:           int(c.MaxDTO),
		ProtocolLayer:    int(c.ProtocolVersion),
		TransportLayer:   int(c.TransportVersion),
	}
}

func (g *gatherer) version() error {
	var r xcp.GetVersionResponse
	ok, ns, err := g.check("GET_VERSION", do(g.ctx, g.s, xcp.GetVersion{}, &r))
	if err != nil {
		return err
	}
	switch {
	case ok:
		g.r.Version = &Version{
			Protocol:  fmt.Sprintf("%d.%d", r.ProtocolMajor, r.ProtocolMinor),
			Transport: fmt.Sprintf("%d.%d", r.TransportMajor, r.TransportMinor),
		}
	case ns != "":
		g.r.Version = &Version{NotSupported: ns}
	}
	return nil
}

func (g *gatherer) commMode() error {
	var r xcp.GetCommModeInfoResponse
	ok, ns, err := g.check("GET_COMM_MODE_INFO", do(g.ctx, g.s, xcp.GetCommModeInfo{}, &r))
	if err != nil {
		return err
	}
	switch {
	case ok:
		g.r.CommMode = &CommMode{
			MasterBlockMode: r.MasterBlockMode(),
			Interleaved:     r.Interleaved(),
			MaxBS:           int(r.MaxBS),
			MinSTMicros:     int(r.MinST) * 100,
			QueueSize:       int(r.QueueSize),
			DriverVersion:   fmt.Sprintf("%d.%d", r.DriverVersion>>4, r.DriverVersion&0x0F),
		}
	case ns != "":
		g.r.CommMode = &CommMode{NotSupported: ns}
	}
	return nil
}

// status is mandatory: any error ends the report.
func (g *gatherer) status() error {
	var r xcp.GetStatusResponse
	if err := do(g.ctx, g.s, xcp.GetStatus{}, &r); err != nil {
		return fmt.Errorf("GET_STATUS: %w", err)
	}
	prot := Protection{}
	for _, res := range xcp.AllResources() {
		prot[res.String()] = r.Protection&res != 0
	}
	g.r.Status = Status{
		Session:         r.Session.String(),
		SessionBits:     uint8(r.Session),
		Protection:      prot,
		StateNumber:     int(r.StateNumber),
		SessionConfigID: int(r.SessionConfigID),
	}
	return nil
}

func (g *gatherer) ids() error {
	for _, t := range idTypes {
		id := ID{Type: uint8(t), Name: t.String()}
		var r xcp.GetIDResponse
		ok, ns, err := g.check("GET_ID "+t.String(), do(g.ctx, g.s, xcp.GetID{Type: t}, &r))
		if err != nil {
			return err
		}
		if ns != "" {
			// A slave without GET_ID answers every type alike.
			g.r.Notes = append(g.r.Notes, "GET_ID: "+ns)
			return nil
		}
		if !ok {
			continue
		}
		id.Length, id.Inline = r.Length, r.Inline()
		switch {
		case r.Length == 0:
			id.NotSupported = "not available"
		case r.Inline():
			id.Value = printable(r.Data)
		case t == xcp.IDFile:
			id.Value = fmt.Sprintf("(%d bytes; get it with `xcp fetch-a2l`)", r.Length)
		case r.Length > maxIDShown:
			id.Value = fmt.Sprintf("(%d bytes)", r.Length)
		default:
			data, err := g.uploadMTA(int(r.Length))
			ok, _, err := g.check("UPLOAD of GET_ID "+t.String(), err)
			if err != nil {
				return err
			}
			if ok {
				id.Value = printable(data)
			}
		}
		g.r.IDs = append(g.r.IDs, id)
	}
	return nil
}

// uploadMTA reads n bytes from the MTA the slave set (after GET_ID or
// GET_DAQ_EVENT_INFO) with UPLOADs of at most one response packet each.
func (g *gatherer) uploadMTA(n int) ([]byte, error) {
	f := g.s.Format()
	ag := f.AG.Size()
	per := f.MaxUploadElements()
	if per <= 0 {
		return nil, fmt.Errorf("MAX_CTO %d too small for UPLOAD", f.CTO())
	}
	out := make([]byte, 0, n+ag)
	for elems := (n + ag - 1) / ag; elems > 0; {
		k := min(elems, per)
		data, err := g.s.Upload(g.ctx, k)
		if err != nil {
			return nil, err
		}
		out = append(out, data...)
		elems -= k
	}
	return out[:n], nil
}

// printable returns data as text, with bytes that are not printable UTF-8
// shown as \xNN, and trailing NULs dropped.
func printable(data []byte) string {
	data = []byte(strings.TrimRight(string(data), "\x00"))
	if utf8.Valid(data) && !strings.ContainsFunc(string(data), func(r rune) bool { return r < 0x20 && r != '\t' }) {
		return string(data)
	}
	return fmt.Sprintf("%q", data)
}

func (g *gatherer) pag() error {
	if g.s.ConnectInfo().Resource&xcp.ResCalPag == 0 {
		g.r.PAG = &PAG{NotSupported: "not supported (CONNECT: no CAL/PAG resource)"}
		return nil
	}
	var pi xcp.GetPagProcessorInfoResponse
	ok, ns, err := g.check("GET_PAG_PROCESSOR_INFO", do(g.ctx, g.s, xcp.GetPagProcessorInfo{}, &pi))
	if err != nil || !ok {
		if ns != "" {
			g.r.PAG = &PAG{NotSupported: ns}
		}
		return err
	}
	pag := &PAG{MaxSegments: int(pi.MaxSegments), FreezeSupported: pi.Properties&xcp.PagFreezeSupported != 0}
	g.r.PAG = pag
	for seg := range int(pi.MaxSegments) {
		s, err := g.segment(uint8(seg))
		if err != nil {
			return err
		}
		pag.Segments = append(pag.Segments, s)
	}
	return nil
}

// segment reads one segment's info; negative responses are kept in its
// Error field.
func (g *gatherer) segment(seg uint8) (Segment, error) {
	s := Segment{Number: int(seg)}
	fail := func(what string, err error) (bool, error) {
		if err == nil {
			return false, nil
		}
		var xe *xcp.Error
		if errors.As(err, &xe) {
			s.Error = what + ": " + xe.Code.Name()
			return true, nil
		}
		return true, fmt.Errorf("%s segment %d: %w", what, seg, err)
	}
	var std xcp.GetSegmentInfoStandardResponse
	if stop, err := fail("GET_SEGMENT_INFO", do(g.ctx, g.s, xcp.GetSegmentInfo{Mode: xcp.SegmentInfoStandard, Segment: seg}, &std)); stop {
		return s, err
	}
	s.Ext, s.MaxMapping = int(std.Ext), int(std.MaxMapping)
	var v xcp.GetSegmentInfoValueResponse
	if stop, err := fail("GET_SEGMENT_INFO address", do(g.ctx, g.s, xcp.GetSegmentInfo{Mode: xcp.SegmentInfoBasic, Segment: seg, Info: 0}, &v)); stop {
		return s, err
	}
	s.Address = v.Value
	if stop, err := fail("GET_SEGMENT_INFO length", do(g.ctx, g.s, xcp.GetSegmentInfo{Mode: xcp.SegmentInfoBasic, Segment: seg, Info: 1}, &v)); stop {
		return s, err
	}
	s.Length = v.Value
	for page := range int(std.MaxPages) {
		var pr xcp.GetPageInfoResponse
		if stop, err := fail("GET_PAGE_INFO", do(g.ctx, g.s, xcp.GetPageInfo{Segment: seg, Page: uint8(page)}, &pr)); stop {
			return s, err
		}
		s.Pages = append(s.Pages, Page{Number: page, Properties: pr.Properties, Access: pageAccess(pr.Properties), InitSegment: int(pr.InitSegment)})
	}
	for _, m := range []struct {
		mode xcp.CalPageMode
		dst  **int
	}{{xcp.CalPageECU, &s.ECUPage}, {xcp.CalPageXCP, &s.XCPPage}} {
		var r xcp.GetCalPageResponse
		if stop, err := fail("GET_CAL_PAGE", do(g.ctx, g.s, xcp.GetCalPage{Mode: m.mode, Segment: seg}, &r)); stop {
			return s, err
		}
		p := int(r.Page)
		*m.dst = &p
	}
	return s, nil
}

// pageAccess describes PAGE_PROPERTIES.
func pageAccess(p uint8) string { return master.CalPage{Properties: p}.Access() }

func (g *gatherer) pgm() error {
	if g.s.ConnectInfo().Resource&xcp.ResPgm == 0 {
		g.r.PGM = &PGM{NotSupported: "not supported (CONNECT: no PGM resource)"}
		return nil
	}
	var pi xcp.GetPgmProcessorInfoResponse
	ok, ns, err := g.check("GET_PGM_PROCESSOR_INFO", do(g.ctx, g.s, xcp.GetPgmProcessorInfo{}, &pi))
	if err != nil || !ok {
		if ns != "" {
			g.r.PGM = &PGM{NotSupported: ns}
		}
		return err
	}
	pgm := &PGM{Properties: pi.Properties, MaxSectors: int(pi.MaxSector)}
	g.r.PGM = pgm
	for sec := range int(pi.MaxSector) {
		s := Sector{Number: sec}
		var start, length xcp.GetSectorInfoResponse
		err := do(g.ctx, g.s, xcp.GetSectorInfo{Mode: xcp.SectorInfoStart, Sector: uint8(sec)}, &start)
		if err == nil {
			err = do(g.ctx, g.s, xcp.GetSectorInfo{Mode: xcp.SectorInfoLength, Sector: uint8(sec)}, &length)
		}
		var xe *xcp.Error
		switch {
		case err == nil:
			s.Address, s.Length = start.Info, length.Info
			s.ClearSequence, s.ProgramSequence, s.Method = int(start.ClearSequence), int(start.ProgramSequence), int(start.Method)
		case errors.As(err, &xe):
			s.Error = "GET_SECTOR_INFO: " + xe.Code.Name()
		default:
			return fmt.Errorf("GET_SECTOR_INFO sector %d: %w", sec, err)
		}
		pgm.Sectors = append(pgm.Sectors, s)
	}
	return nil
}
