package master

import (
	"context"
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Page switching commands (PAG).

// SetCalPage selects page for segment in mode (xcp.CalPageECU,
// xcp.CalPageXCP, optionally | xcp.CalPageAll for every segment).
func (m *Master) SetCalPage(ctx context.Context, mode xcp.CalPageMode, segment, page uint8) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.simple(ctx, "SET_CAL_PAGE", xcp.SetCalPage{Mode: mode, Segment: segment, Page: page}.Append(m.req[:0], m.format))
}

// GetCalPage returns the page that the ECU (xcp.CalPageECU) or XCP
// (xcp.CalPageXCP) uses for segment.
func (m *Master) GetCalPage(ctx context.Context, mode xcp.CalPageMode, segment uint8) (uint8, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var r xcp.GetCalPageResponse
	err := m.query(ctx, "GET_CAL_PAGE", xcp.GetCalPage{Mode: mode, Segment: segment}.Append(m.req[:0], m.format), &r)
	return r.Page, err
}

// decoder is implemented by the response types of package xcp.
type decoder interface {
	Decode(p []byte, f xcp.Format) error
}

// query runs a command and decodes its response into r. Callers hold m.mu.
func (m *Master) query(ctx context.Context, op string, req []byte, r decoder) error {
	if err := m.needSession(op); err != nil {
		return err
	}
	p, err := m.do1(ctx, req)
	if err != nil {
		return opErr(op, err)
	}
	if err := r.Decode(p, m.format); err != nil {
		return opErr(op, err)
	}
	return nil
}

// GetPagProcessorInfo returns the number of segments and the PAG
// properties (freeze support).
func (m *Master) GetPagProcessorInfo(ctx context.Context) (xcp.GetPagProcessorInfoResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var r xcp.GetPagProcessorInfoResponse
	err := m.query(ctx, "GET_PAG_PROCESSOR_INFO", xcp.GetPagProcessorInfo{}.Append(m.req[:0], m.format), &r)
	return r, err
}

// GetSegmentInfoValue sends GET_SEGMENT_INFO in mode 0 (info 0 address,
// 1 length) or mode 2 (mapping mappingIndex: info 0 source, 1 destination,
// 2 length) and returns the value.
func (m *Master) GetSegmentInfoValue(ctx context.Context, mode xcp.SegmentInfoMode, segment, info, mappingIndex uint8) (uint32, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.segmentValue(ctx, mode, segment, info, mappingIndex)
}

func (m *Master) segmentValue(ctx context.Context, mode xcp.SegmentInfoMode, segment, info, mappingIndex uint8) (uint32, error) {
	if mode == xcp.SegmentInfoStandard {
		return 0, opErr("GET_SEGMENT_INFO", fmt.Errorf("mode 1 returns no value; use GetSegmentInfoStandard"))
	}
	var r xcp.GetSegmentInfoValueResponse
	c := xcp.GetSegmentInfo{Mode: mode, Segment: segment, Info: info, MappingIndex: mappingIndex}
	err := m.query(ctx, "GET_SEGMENT_INFO", c.Append(m.req[:0], m.format), &r)
	return r.Value, err
}

// GetSegmentInfoStandard sends GET_SEGMENT_INFO mode 1: pages, address
// extension, mappings, compression and encryption of segment.
func (m *Master) GetSegmentInfoStandard(ctx context.Context, segment uint8) (xcp.GetSegmentInfoStandardResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.segmentStandard(ctx, segment)
}

func (m *Master) segmentStandard(ctx context.Context, segment uint8) (xcp.GetSegmentInfoStandardResponse, error) {
	var r xcp.GetSegmentInfoStandardResponse
	c := xcp.GetSegmentInfo{Mode: xcp.SegmentInfoStandard, Segment: segment}
	err := m.query(ctx, "GET_SEGMENT_INFO", c.Append(m.req[:0], m.format), &r)
	return r, err
}

// Mapping is one address mapping of a segment.
type Mapping struct {
	Source      uint32 `json:"source"`
	Destination uint32 `json:"destination"`
	Length      uint32 `json:"length"`
}

// Segment is everything GET_SEGMENT_INFO tells about one segment.
type Segment struct {
	Number   uint8                              `json:"number"`
	Address  uint32                             `json:"address"`
	Length   uint32                             `json:"length"`
	Info     xcp.GetSegmentInfoStandardResponse `json:"info"`
	Mappings []Mapping                          `json:"mappings"`
}

// SegmentInfo queries every GET_SEGMENT_INFO mode for segment: address,
// length, standard info and all address mappings.
func (m *Master) SegmentInfo(ctx context.Context, segment uint8) (Segment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Segment{Number: segment}
	var err error
	if s.Address, err = m.segmentValue(ctx, xcp.SegmentInfoBasic, segment, 0, 0); err != nil {
		return s, err
	}
	if s.Length, err = m.segmentValue(ctx, xcp.SegmentInfoBasic, segment, 1, 0); err != nil {
		return s, err
	}
	if s.Info, err = m.segmentStandard(ctx, segment); err != nil {
		return s, err
	}
	for i := range s.Info.MaxMapping {
		var mp Mapping
		for info, dst := range []*uint32{&mp.Source, &mp.Destination, &mp.Length} {
			if *dst, err = m.segmentValue(ctx, xcp.SegmentInfoMapping, segment, uint8(info), i); err != nil {
				return s, err
			}
		}
		s.Mappings = append(s.Mappings, mp)
	}
	return s, nil
}

// GetPageInfo returns the properties of page of segment and its init
// segment.
func (m *Master) GetPageInfo(ctx context.Context, segment, page uint8) (xcp.GetPageInfoResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var r xcp.GetPageInfoResponse
	err := m.query(ctx, "GET_PAGE_INFO", xcp.GetPageInfo{Segment: segment, Page: page}.Append(m.req[:0], m.format), &r)
	return r, err
}

// SetSegmentMode sets the mode of segment (xcp.SegmentFreeze or 0).
func (m *Master) SetSegmentMode(ctx context.Context, mode, segment uint8) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.simple(ctx, "SET_SEGMENT_MODE", xcp.SetSegmentMode{Mode: mode, Segment: segment}.Append(m.req[:0], m.format))
}

// GetSegmentMode returns the mode of segment.
func (m *Master) GetSegmentMode(ctx context.Context, segment uint8) (uint8, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var r xcp.GetSegmentModeResponse
	err := m.query(ctx, "GET_SEGMENT_MODE", xcp.GetSegmentMode{Segment: segment}.Append(m.req[:0], m.format), &r)
	return r.Mode, err
}

// CopyCalPage copies page srcPage of srcSegment to dstPage of dstSegment.
func (m *Master) CopyCalPage(ctx context.Context, srcSegment, srcPage, dstSegment, dstPage uint8) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := xcp.CopyCalPage{SrcSegment: srcSegment, SrcPage: srcPage, DstSegment: dstSegment, DstPage: dstPage}
	return m.simple(ctx, "COPY_CAL_PAGE", c.Append(m.req[:0], m.format))
}
