package dto

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Measurement is one variable a DAQ list samples: what an ODT entry points
// at. Live measurement (goxcp/daq), recordings (goxcp/record) and the
// converters all use this one type.
type Measurement struct {
	Name      string `json:"name"`
	Address   uint32 `json:"address"`
	Extension uint8  `json:"extension"`
	Type      Type   `json:"type"`
	// BitMask, if not 0, selects bits of the raw value: the decoded value
	// is (raw & BitMask) >> trailing zeros of BitMask. Only for integer
	// types.
	BitMask uint64 `json:"bit_mask,omitempty"`
}

// FromRaw returns the value of m for the raw bits read from the DTO in
// the slave's byte order (zero-extended to 64 bits): sign extension,
// float widening and bit mask applied.
func (m Measurement) FromRaw(raw uint64) Value {
	f := newField(0, m)
	return f.value(raw)
}

// Entry is one ODT entry: a contiguous memory range of the slave.
type Entry struct {
	Address   uint32 `json:"address"`
	Extension uint8  `json:"extension"`
	Size      uint8  `json:"size"` // bytes
}

// ODT is one object descriptor table: the data one DTO carries after
// the identification field (and, in ODT 0, the timestamp).
type ODT struct {
	// Size is the number of data bytes; with Entries, their total.
	Size int `json:"size"`
	// Entries are the memory ranges the slave samples into the ODT, in
	// order. A recording written before metadata version 3 does not know
	// them (nil).
	Entries []Entry `json:"entries,omitempty"`
}

// NewODT returns the ODT of the entries (Size their total).
func NewODT(entries ...Entry) ODT {
	o := ODT{Entries: entries}
	for _, e := range entries {
		o.Size += int(e.Size)
	}
	return o
}

// List is one DAQ list as it travels in DTOs: how it is configured on the
// slave (number, event, mode), its ODTs and where each measurement sits in
// a sample, the concatenation of the ODTs' data.
type List struct {
	Name      string `json:"name"`
	Number    uint16 `json:"number"`    // DAQ list number on the slave
	FirstPID  uint8  `json:"first_pid"` // PID of ODT 0 (absolute ODT numbers)
	Event     uint16 `json:"event"`     // event channel number
	EventName string `json:"event_name,omitempty"`
	Prescaler uint8  `json:"prescaler"` // 0 and 1 both mean every event cycle
	Priority  uint8  `json:"priority"`
	// Timestamps: ODT 0 carries the DAQ timestamp after the
	// identification field (if the layout's TimestampSize > 0).
	Timestamps bool `json:"timestamps"`
	// Stim marks a STIM list (the master sends its DTOs); Predefined a
	// list the slave predefines (its ODTs were read back, not written).
	Stim       bool `json:"stim,omitempty"`
	Predefined bool `json:"predefined,omitempty"`
	// ODTs in transmission order.
	ODTs         []ODT         `json:"odts"`
	Measurements []Measurement `json:"measurements"`
	// Offsets[i] is where Measurements[i] starts in the sample; a value
	// may continue from the end of one ODT into the next.
	Offsets []int `json:"offsets"`
}

// SampleSize returns the size of the list's sample (all ODTs' data).
func (l *List) SampleSize() int {
	n := 0
	for _, o := range l.ODTs {
		n += o.Size
	}
	return n
}

// Locate returns the ODT that carries the start of measurement i and the
// byte offset of the value in that ODT's DTO, counted from the PID (so it
// includes the identification field and, in ODT 0, the timestamp).
func (lay *Layout) Locate(list, i int) (odt, offset int) {
	l := &lay.Lists[list]
	off := l.Offsets[i]
	for odt < len(l.ODTs)-1 && off >= l.ODTs[odt].Size {
		off -= l.ODTs[odt].Size
		odt++
	}
	off += lay.IDField.Len()
	if odt == 0 && l.Timestamps && lay.TimestampSize > 0 {
		off += lay.TimestampSize
	}
	return odt, off
}

// Layout is the complete description of how DAQ lists travel in DTOs: the
// slave's DTO format and the lists. goxcp/daq allocates it, a recording
// stores it in its header, and a Decoder turns DTOs into samples with it.
type Layout struct {
	Order         xcp.ByteOrder
	IDField       xcp.IDField
	TimestampSize int    // bytes of the DAQ timestamp: 0 (none), 1, 2 or 4
	TickPS        uint64 // picoseconds per timestamp tick (unit × ticks); needed with timestamps
	OverloadMSB   bool   // bit 7 of the PID flags an overload
	Lists         []List
}

var idFieldNames = [...]string{"absolute", "relative_byte", "relative_word", "relative_word_aligned"}

// IDFieldName returns the name of an identification field type as files
// store it ("absolute", "relative_byte", "relative_word",
// "relative_word_aligned").
func IDFieldName(f xcp.IDField) string {
	if int(f) < len(idFieldNames) {
		return idFieldNames[f]
	}
	return fmt.Sprintf("id_field_%d", uint8(f))
}

// ParseIDField parses a name of IDFieldName.
func ParseIDField(s string) (xcp.IDField, error) {
	for i, n := range idFieldNames {
		if n == s {
			return xcp.IDField(i), nil
		}
	}
	return 0, fmt.Errorf("dto: unknown identification field type %q (want one of %s)", s, strings.Join(idFieldNames[:], ", "))
}

// ByteOrderName returns "intel" or "motorola".
func ByteOrderName(o xcp.ByteOrder) string {
	if o == xcp.Motorola {
		return "motorola"
	}
	return "intel"
}

// ParseByteOrder parses "intel" (also "little", "little-endian", "") or
// "motorola" ("big", "big-endian").
func ParseByteOrder(s string) (xcp.ByteOrder, error) {
	switch strings.ToLower(s) {
	case "", "intel", "little", "little-endian":
		return xcp.Intel, nil
	case "motorola", "big", "big-endian":
		return xcp.Motorola, nil
	}
	return 0, fmt.Errorf("dto: unknown byte order %q (want intel or motorola)", s)
}

type layoutJSON struct {
	ByteOrder     string `json:"byte_order"`
	IDField       string `json:"id_field"`
	TimestampSize int    `json:"timestamp_size"`
	TickPS        uint64 `json:"tick_ps,omitempty"`
	OverloadMSB   bool   `json:"overload_msb"`
	Lists         []List `json:"lists"`
}

// MarshalJSON writes the layout with snake_case keys and the byte order
// and identification field by name.
func (lay Layout) MarshalJSON() ([]byte, error) {
	return json.Marshal(layoutJSON{ByteOrder: ByteOrderName(lay.Order), IDField: IDFieldName(lay.IDField),
		TimestampSize: lay.TimestampSize, TickPS: lay.TickPS, OverloadMSB: lay.OverloadMSB, Lists: lay.Lists})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (lay *Layout) UnmarshalJSON(b []byte) error {
	var x layoutJSON
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	order, err := ParseByteOrder(x.ByteOrder)
	if err != nil {
		return err
	}
	idf, err := ParseIDField(x.IDField)
	if err != nil {
		return err
	}
	*lay = Layout{Order: order, IDField: idf, TimestampSize: x.TimestampSize, TickPS: x.TickPS, OverloadMSB: x.OverloadMSB, Lists: x.Lists}
	return nil
}
