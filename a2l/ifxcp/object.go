package ifxcp

// The IF_DATA XCP of single objects: the SEGMENT of a MEMORY_SEGMENT and
// the DAQ_EVENT lists of a measurement (the module-level blocks are in
// ifxcp.go).

import (
	"fmt"

	"github.com/goxcp/goxcp/a2l"
)

// Segment is the IF_DATA XCP SEGMENT of a MEMORY_SEGMENT.
type Segment struct {
	Number, NumPages, AddressExtension, CompressionMethod, EncryptionMethod int
	Checksum                                                                string
	Pages                                                                   []Page
}

// Page is a PAGE of a SEGMENT.
type Page struct {
	Number                       int
	ECUAccess, ReadAccess, Write string
}

// DecodeSegment decodes the IF_DATA XCP SEGMENT of a MEMORY_SEGMENT (nil,
// nil if there is none).
func DecodeSegment(ms *a2l.MemorySegment) (*Segment, error) {
	b, err := xcpBlock(ms.IfData, "SEGMENT")
	if b == nil {
		return nil, err
	}
	return segment(b)
}

// xcpBlock returns the first block called name inside the IF_DATA XCP of
// an object (nil, nil if there is none).
func xcpBlock(ifData []*a2l.IfData, name string) (*a2l.Node, error) {
	for _, d := range ifData {
		if d.Name != "XCP" {
			continue
		}
		n, err := d.Parse()
		if err != nil {
			return nil, fmt.Errorf("ifxcp: %w", err)
		}
		if b := n.Block(name); b != nil {
			return b, nil
		}
	}
	return nil, nil
}

func segment(b *a2l.Node) (s *Segment, err error) {
	defer catch(&err)
	c := newCursor(b)
	s = &Segment{Number: c.int("segment number"), NumPages: c.int("number of pages"), AddressExtension: c.int("address extension"),
		CompressionMethod: c.int("compression method"), EncryptionMethod: c.int("encryption method")}
	for c.more() {
		if blk := c.block(); blk != nil {
			bc := newCursor(blk)
			switch blk.Name {
			case "CHECKSUM":
				s.Checksum = bc.ident("checksum type")
			case "PAGE":
				s.Pages = append(s.Pages, Page{Number: bc.int("page number"), ECUAccess: bc.ident("ECU access"), ReadAccess: bc.ident("XCP read access"), Write: bc.ident("XCP write access")})
			}
			continue
		}
		c.tag()
		c.skipUnknown()
	}
	return s, nil
}

// EventLists holds the DAQ_EVENT of a measurement.
type EventLists struct {
	Fixed, Available, Default, Consistency []uint16
}

// Events decodes the IF_DATA XCP DAQ_EVENT of an object (nil, nil if it
// has none).
func Events(c *a2l.Common) (*EventLists, error) {
	b, err := xcpBlock(c.IfData, "DAQ_EVENT")
	if b == nil {
		return nil, err
	}
	return daqEvent(b)
}

func daqEvent(b *a2l.Node) (ev *EventLists, err error) {
	defer catch(&err)
	ev = &EventLists{}
	c := newCursor(b)
	list := func(cc *cursor, dst *[]uint16) {
		for cc.more() {
			if cc.tag() != "EVENT" {
				cc.failf("expected EVENT in event list")
			}
			*dst = append(*dst, uint16(cc.int("event channel")))
		}
	}
	for c.more() {
		if blk := c.block(); blk != nil {
			bc := newCursor(blk)
			switch blk.Name {
			case "AVAILABLE_EVENT_LIST":
				list(bc, &ev.Available)
			case "DEFAULT_EVENT_LIST":
				list(bc, &ev.Default)
			case "CONSISTENCY_EVENT_LIST":
				list(bc, &ev.Consistency)
			}
			continue
		}
		switch tag := c.tag(); tag {
		case "FIXED_EVENT_LIST":
			for c.more() && c.peekIdent() == "EVENT" {
				c.tag()
				ev.Fixed = append(ev.Fixed, uint16(c.int("event channel")))
			}
		case "VARIABLE":
		default:
			c.failf("expected FIXED_EVENT_LIST or VARIABLE in DAQ_EVENT, found %s", tag)
		}
	}
	return ev, nil
}

// Preferred returns the event to use for DAQ: the first fixed event, else
// the first default event; ok is false if the lists name none.
func (e *EventLists) Preferred() (uint16, bool) {
	if e == nil {
		return 0, false
	}
	if len(e.Fixed) > 0 {
		return e.Fixed[0], true
	}
	if len(e.Default) > 0 {
		return e.Default[0], true
	}
	return 0, false
}
