package master

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// CalPages is the calibration page layout of a slave: its segments, the
// pages of each, and which page the ECU and XCP use.
type CalPages struct {
	MaxSegments     int          `json:"max_segments"`
	FreezeSupported bool         `json:"freeze_supported"`
	Segments        []CalSegment `json:"segments"`
}

// CalSegment is one segment with its pages.
type CalSegment struct {
	Segment
	Pages []CalPage `json:"pages"`
	// ECUPage and XCPPage are the active pages (GET_CAL_PAGE).
	ECUPage uint8 `json:"ecu_page"`
	XCPPage uint8 `json:"xcp_page"`
}

// CalPage is one page of a segment (GET_PAGE_INFO).
type CalPage struct {
	Number      uint8 `json:"number"`
	Properties  uint8 `json:"properties"` // xcp.Page* bits
	InitSegment uint8 `json:"init_segment"`
}

// Access describes the page's PAGE_PROPERTIES in words.
func (p CalPage) Access() string {
	var parts []string
	for _, b := range []struct {
		bit  uint8
		name string
	}{
		{xcp.PageECUAccessWithoutXCP, "ECU w/o XCP"}, {xcp.PageECUAccessWithXCP, "ECU with XCP"},
		{xcp.PageXCPReadWithoutECU, "XCP read w/o ECU"}, {xcp.PageXCPReadWithECU, "XCP read with ECU"},
		{xcp.PageXCPWriteWithoutECU, "XCP write w/o ECU"}, {xcp.PageXCPWriteWithECU, "XCP write with ECU"},
	} {
		if p.Properties&b.bit != 0 {
			parts = append(parts, b.name)
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// ReadCalPages reads the page layout: GET_PAG_PROCESSOR_INFO, then per
// segment GET_SEGMENT_INFO, GET_PAGE_INFO for each page and GET_CAL_PAGE
// for the ECU and XCP.
func (m *Master) ReadCalPages(ctx context.Context) (CalPages, error) {
	var out CalPages
	pi, err := m.GetPagProcessorInfo(ctx)
	if err != nil {
		return out, err
	}
	out.MaxSegments = int(pi.MaxSegments)
	out.FreezeSupported = pi.Properties&xcp.PagFreezeSupported != 0
	for seg := range pi.MaxSegments {
		s, err := m.SegmentInfo(ctx, seg)
		if err != nil {
			return out, fmt.Errorf("segment %d: %w", seg, err)
		}
		cs := CalSegment{Segment: s}
		for page := range s.Info.MaxPages {
			pr, err := m.GetPageInfo(ctx, seg, page)
			if err != nil {
				return out, fmt.Errorf("segment %d page %d: %w", seg, page, err)
			}
			cs.Pages = append(cs.Pages, CalPage{Number: page, Properties: pr.Properties, InitSegment: pr.InitSegment})
		}
		if cs.ECUPage, err = m.GetCalPage(ctx, xcp.CalPageECU, seg); err != nil {
			return out, fmt.Errorf("segment %d: %w", seg, err)
		}
		if cs.XCPPage, err = m.GetCalPage(ctx, xcp.CalPageXCP, seg); err != nil {
			return out, fmt.Errorf("segment %d: %w", seg, err)
		}
		out.Segments = append(out.Segments, cs)
	}
	return out, nil
}

// ErrStoreCalTimeout is returned (wrapped) when the slave does not confirm
// a STORE_CAL request in time.
var ErrStoreCalTimeout = errors.New("the slave did not confirm storing the calibration")

// StoreCalibration asks the slave to store its calibration data in
// non-volatile memory (SET_REQUEST STORE_CAL_REQ) and waits until it has:
// the EV_STORE_CAL event, or GET_STATUS no longer reporting STORE_CAL_REQ
// (polled every poll interval, 100 ms when 0, for slaves that send no
// event). ctx bounds the wait; its expiry gives ErrStoreCalTimeout.
func (m *Master) StoreCalibration(ctx context.Context, poll time.Duration) error {
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	events, cancel := m.Subscribe(8)
	defer cancel()
	if err := m.SetRequest(ctx, xcp.RequestStoreCal, 0); err != nil {
		return fmt.Errorf("master: STORE_CAL request: %w", err)
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		select {
		case n, ok := <-events:
			if !ok {
				return fmt.Errorf("master: STORE_CAL: %w", ErrClosed)
			}
			if n.Kind == xcp.KindEv && n.Event == xcp.EvStoreCal {
				return nil
			}
		case <-tick.C:
			st, err := m.GetStatus(ctx)
			if err != nil {
				if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
					return fmt.Errorf("master: %w: %w", ErrStoreCalTimeout, err)
				}
				return fmt.Errorf("master: STORE_CAL status: %w", err)
			}
			if st.Session&xcp.SessionStoreCalReq == 0 {
				return nil
			}
		case <-ctx.Done():
			return fmt.Errorf("master: %w: %w", ErrStoreCalTimeout, ctx.Err())
		}
	}
}
