package sim

import "github.com/goxcp/goxcp/protocol/xcp"

// calState is the page-switching state of calibration segment 0 (the only
// segment). Guarded by Slave.mu.
type calState struct {
	pages   [2][]byte // PageWorking, PageReference
	ecuPage uint8     // page the simulated ECU uses (variables read parameters from it)
	xcpPage uint8     // page XCP accesses at CalBase
	mode    uint8     // segment mode (bit 0 FREEZE)
}

// Segments and pages of the simulator (see memory.go).
const (
	numSegments = 1
	numPages    = 2
)

// pagCommand answers the page-switching commands (CAL/PAG resource).
func (ss *session) pagCommand(req []byte) []byte {
	if err := ss.checkProtection(xcp.ResCalPag); err != nil {
		return errPacket(xcp.ErrAccessLocked)
	}
	f := ss.format()
	cal := &ss.slave.cal
	switch xcp.Command(req[0]) {
	case xcp.CmdSetCalPage:
		var c xcp.SetCalPage
		if err := c.Decode(req, f); err != nil {
			return syntax()
		}
		if c.Mode&(xcp.CalPageECU|xcp.CalPageXCP) == 0 || c.Mode&^(xcp.CalPageECU|xcp.CalPageXCP|xcp.CalPageAll) != 0 {
			return errPacket(xcp.ErrModeNotValid)
		}
		if c.Mode&xcp.CalPageAll == 0 && c.Segment >= numSegments {
			return errPacket(xcp.ErrSegmentNotValid)
		}
		if c.Page >= numPages {
			return errPacket(xcp.ErrPageNotValid)
		}
		if c.Mode&xcp.CalPageECU != 0 {
			cal.ecuPage = c.Page
		}
		if c.Mode&xcp.CalPageXCP != 0 {
			cal.xcpPage = c.Page
		}
		return ss.ok()
	case xcp.CmdGetCalPage:
		var c xcp.GetCalPage
		if err := c.Decode(req, f); err != nil {
			return syntax()
		}
		if c.Segment >= numSegments {
			return errPacket(xcp.ErrSegmentNotValid)
		}
		switch c.Mode {
		case xcp.CalPageECU:
			return xcp.GetCalPageResponse{Page: cal.ecuPage}.Append(ss.out[:0], f)
		case xcp.CalPageXCP:
			return xcp.GetCalPageResponse{Page: cal.xcpPage}.Append(ss.out[:0], f)
		}
		return errPacket(xcp.ErrModeNotValid)
	case xcp.CmdGetPagProcessorInfo:
		var c xcp.GetPagProcessorInfo
		if err := c.Decode(req, f); err != nil {
			return syntax()
		}
		return xcp.GetPagProcessorInfoResponse{MaxSegments: numSegments,
			Properties: xcp.PagFreezeSupported}.Append(ss.out[:0], f)
	case xcp.CmdGetSegmentInfo:
		return ss.getSegmentInfo(req)
	case xcp.CmdGetPageInfo:
		var c xcp.GetPageInfo
		if err := c.Decode(req, f); err != nil {
			return syntax()
		}
		if c.Segment >= numSegments {
			return errPacket(xcp.ErrSegmentNotValid)
		}
		var props uint8
		switch c.Page {
		case PageWorking:
			props = xcp.PageECUAccessWithXCP | xcp.PageECUAccessWithoutXCP |
				xcp.PageXCPReadWithECU | xcp.PageXCPReadWithoutECU |
				xcp.PageXCPWriteWithECU | xcp.PageXCPWriteWithoutECU
		case PageReference:
			props = xcp.PageECUAccessWithXCP | xcp.PageECUAccessWithoutXCP |
				xcp.PageXCPReadWithECU | xcp.PageXCPReadWithoutECU
		default:
			return errPacket(xcp.ErrPageNotValid)
		}
		return xcp.GetPageInfoResponse{Properties: props, InitSegment: 0}.Append(ss.out[:0], f)
	case xcp.CmdSetSegmentMode:
		var c xcp.SetSegmentMode
		if err := c.Decode(req, f); err != nil {
			return syntax()
		}
		if c.Segment >= numSegments {
			return errPacket(xcp.ErrSegmentNotValid)
		}
		if c.Mode&^xcp.SegmentFreeze != 0 {
			return errPacket(xcp.ErrModeNotValid)
		}
		cal.mode = c.Mode
		return ss.ok()
	case xcp.CmdGetSegmentMode:
		var c xcp.GetSegmentMode
		if err := c.Decode(req, f); err != nil {
			return syntax()
		}
		if c.Segment >= numSegments {
			return errPacket(xcp.ErrSegmentNotValid)
		}
		return xcp.GetSegmentModeResponse{Mode: cal.mode}.Append(ss.out[:0], f)
	case xcp.CmdCopyCalPage:
		var c xcp.CopyCalPage
		if err := c.Decode(req, f); err != nil {
			return syntax()
		}
		if c.SrcSegment >= numSegments || c.DstSegment >= numSegments {
			return errPacket(xcp.ErrSegmentNotValid)
		}
		if c.SrcPage >= numPages || c.DstPage >= numPages {
			return errPacket(xcp.ErrPageNotValid)
		}
		if c.DstPage == PageReference {
			return errPacket(xcp.ErrWriteProtected)
		}
		if c.SrcPage != c.DstPage {
			copy(cal.pages[c.DstPage], cal.pages[c.SrcPage])
		}
		return ss.ok()
	}
	return errPacket(xcp.ErrCmdUnknown)
}

func (ss *session) getSegmentInfo(req []byte) []byte {
	var c xcp.GetSegmentInfo
	f := ss.format()
	if err := c.Decode(req, f); err != nil {
		return syntax()
	}
	if c.Segment >= numSegments {
		return errPacket(xcp.ErrSegmentNotValid)
	}
	switch c.Mode {
	case xcp.SegmentInfoBasic:
		switch c.Info {
		case 0:
			return xcp.GetSegmentInfoValueResponse{Value: CalBase}.Append(ss.out[:0], f)
		case 1:
			return xcp.GetSegmentInfoValueResponse{Value: CalSize / uint32(f.AG.Size())}.Append(ss.out[:0], f)
		}
		return errPacket(xcp.ErrOutOfRange)
	case xcp.SegmentInfoStandard:
		return xcp.GetSegmentInfoStandardResponse{MaxPages: numPages, Ext: 0, MaxMapping: 0}.Append(ss.out[:0], f)
	case xcp.SegmentInfoMapping:
		// The segment has no address mappings (MAX_MAPPING 0).
		return errPacket(xcp.ErrOutOfRange)
	}
	return errPacket(xcp.ErrModeNotValid)
}
