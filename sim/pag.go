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

// getSegmentInfo answers GET_SEGMENT_INFO.
func (ss *session) getSegmentInfo(c *xcp.GetSegmentInfo) []byte {
	f := ss.format()
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

// setCalPage answers SET_CAL_PAGE.
func (ss *session) setCalPage(c *xcp.SetCalPage) []byte {
	cal := &ss.slave.cal
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
}

// getCalPage answers GET_CAL_PAGE.
func (ss *session) getCalPage(c *xcp.GetCalPage) []byte {
	f := ss.format()
	cal := &ss.slave.cal
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
}

// getPagProcessorInfo answers GET_PAG_PROCESSOR_INFO.
func (ss *session) getPagProcessorInfo(*xcp.GetPagProcessorInfo) []byte {
	f := ss.format()
	return xcp.GetPagProcessorInfoResponse{MaxSegments: numSegments,
		Properties: xcp.PagFreezeSupported}.Append(ss.out[:0], f)
}

// getPageInfo answers GET_PAGE_INFO.
func (ss *session) getPageInfo(c *xcp.GetPageInfo) []byte {
	f := ss.format()
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
}

// setSegmentMode answers SET_SEGMENT_MODE.
func (ss *session) setSegmentMode(c *xcp.SetSegmentMode) []byte {
	cal := &ss.slave.cal
	if c.Segment >= numSegments {
		return errPacket(xcp.ErrSegmentNotValid)
	}
	if c.Mode&^xcp.SegmentFreeze != 0 {
		return errPacket(xcp.ErrModeNotValid)
	}
	cal.mode = c.Mode
	return ss.ok()
}

// getSegmentMode answers GET_SEGMENT_MODE.
func (ss *session) getSegmentMode(c *xcp.GetSegmentMode) []byte {
	f := ss.format()
	cal := &ss.slave.cal
	if c.Segment >= numSegments {
		return errPacket(xcp.ErrSegmentNotValid)
	}
	return xcp.GetSegmentModeResponse{Mode: cal.mode}.Append(ss.out[:0], f)
}

// copyCalPage answers COPY_CAL_PAGE.
func (ss *session) copyCalPage(c *xcp.CopyCalPage) []byte {
	cal := &ss.slave.cal
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
