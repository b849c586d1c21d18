package xcp

import "fmt"

// DaqProperties is the DAQ_PROPERTIES byte of GET_DAQ_PROCESSOR_INFO.
type DaqProperties uint8

// DAQ_PROPERTIES bits.
const (
	DaqConfigDynamic      DaqProperties = 0x01 // DAQ_CONFIG_TYPE: 0 static, 1 dynamic
	DaqPrescalerSupported DaqProperties = 0x02
	DaqResumeSupported    DaqProperties = 0x04
	DaqBitStimSupported   DaqProperties = 0x08
	DaqTimestampSupported DaqProperties = 0x10
	DaqPIDOffSupported    DaqProperties = 0x20
	DaqOverloadMSB        DaqProperties = 0x40 // overload indicated in the PID's MSB
	DaqOverloadEvent      DaqProperties = 0x80 // overload indicated by EV_DAQ_OVERLOAD
)

// Optimisation is the optimisation method of DAQ_KEY_BYTE (bits 0..3).
type Optimisation uint8

// Optimisation methods.
const (
	OMDefault      Optimisation = 0
	OMODTType16    Optimisation = 1
	OMODTType32    Optimisation = 2
	OMODTType64    Optimisation = 3
	OMODTAlignment Optimisation = 4
	OMMaxEntrySize Optimisation = 5
)

var omNames = [...]string{"OM_DEFAULT", "OM_ODT_TYPE_16", "OM_ODT_TYPE_32", "OM_ODT_TYPE_64",
	"OM_ODT_TYPE_ALIGNMENT", "OM_MAX_ENTRY_SIZE"}

// String returns the Optimisation's name as the specification spells it.
func (o Optimisation) String() string {
	if int(o) < len(omNames) {
		return omNames[o]
	}
	return fmt.Sprintf("OM_0x%X", uint8(o))
}

// AddrExtRule is the address extension rule of DAQ_KEY_BYTE (bits 4..5).
type AddrExtRule uint8

// Address extension rules.
const (
	AEFree       AddrExtRule = 0 // may differ between entries of one ODT
	AESameODT    AddrExtRule = 1 // must be the same within one ODT
	AEReserved   AddrExtRule = 2
	AESameDaqLst AddrExtRule = 3 // must be the same within one DAQ list
)

// String returns the AddrExtRule's name as the specification spells it.
func (a AddrExtRule) String() string {
	switch a {
	case AEFree:
		return "AE_DIFFERENT_WITHIN_ODT"
	case AESameODT:
		return "AE_SAME_FOR_ALL_ENTRIES_OF_ODT"
	case AESameDaqLst:
		return "AE_SAME_FOR_ALL_ENTRIES_OF_DAQ"
	}
	return "AE_RESERVED"
}

// IDField is the identification field type of DAQ_KEY_BYTE (bits 6..7).
type IDField uint8

// Identification field types.
const (
	IDAbsODT             IDField = 0 // PID = absolute ODT number
	IDRelODTAbsDAQByte   IDField = 1 // relative ODT, DAQ list number as BYTE
	IDRelODTAbsDAQWord   IDField = 2 // relative ODT, DAQ list number as WORD
	IDRelODTAbsDAQWordAl IDField = 3 // relative ODT, fill byte, DAQ list number as WORD
)

var idNames = [...]string{"IDF_ABS_ODT_NUMBER", "IDF_REL_ODT_NUMBER_ABS_DAQ_LIST_NUMBER_BYTE",
	"IDF_REL_ODT_NUMBER_ABS_DAQ_LIST_NUMBER_WORD", "IDF_REL_ODT_NUMBER_ABS_DAQ_LIST_NUMBER_WORD_ALIGNED"}

// String returns the IDField's name as the specification spells it.
func (i IDField) String() string {
	if int(i) < len(idNames) {
		return idNames[i]
	}
	return fmt.Sprintf("IDF_0x%X", uint8(i))
}

// Len returns the number of bytes of the identification field.
func (i IDField) Len() int {
	switch i {
	case IDRelODTAbsDAQByte:
		return 2
	case IDRelODTAbsDAQWord:
		return 3
	case IDRelODTAbsDAQWordAl:
		return 4
	}
	return 1
}

// DaqKeyByte is the DAQ_KEY_BYTE of GET_DAQ_PROCESSOR_INFO.
type DaqKeyByte uint8

// MakeDaqKeyByte composes a DAQ_KEY_BYTE.
func MakeDaqKeyByte(om Optimisation, ae AddrExtRule, id IDField) DaqKeyByte {
	return DaqKeyByte(uint8(om)&0x0F | uint8(ae&3)<<4 | uint8(id&3)<<6)
}

// Optimisation returns bits 0..3.
func (k DaqKeyByte) Optimisation() Optimisation { return Optimisation(k & 0x0F) }

// AddrExt returns bits 4..5.
func (k DaqKeyByte) AddrExt() AddrExtRule { return AddrExtRule(k>>4) & 3 }

// IDField returns bits 6..7.
func (k DaqKeyByte) IDField() IDField { return IDField(k>>6) & 3 }

// GetDaqProcessorInfoResponse is the response to GET_DAQ_PROCESSOR_INFO.
type GetDaqProcessorInfoResponse struct {
	Properties DaqProperties
	MaxDaq     uint16 // total DAQ lists available (predefined + dynamic/static)
	MaxEvent   uint16 // event channels, 0 = unknown
	MinDaq     uint8  // predefined DAQ lists
	Key        DaqKeyByte
}

// Append encodes the response.
func (r GetDaqProcessorInfoResponse) Append(b []byte, f Format) []byte {
	b = f.Order.AppendUint16(append(b, PIDRes, byte(r.Properties)), r.MaxDaq)
	b = f.Order.AppendUint16(b, r.MaxEvent)
	return append(b, r.MinDaq, byte(r.Key))
}

// Decode decodes the response.
func (r *GetDaqProcessorInfoResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_DAQ_PROCESSOR_INFO response", p, PIDRes, 8); err != nil {
		return err
	}
	r.Properties, r.MaxDaq, r.MaxEvent = DaqProperties(p[1]), f.Order.Uint16(p[2:]), f.Order.Uint16(p[4:])
	r.MinDaq, r.Key = p[6], DaqKeyByte(p[7])
	if r.Key.AddrExt() == AEReserved {
		return fmt.Errorf("xcp: GET_DAQ_PROCESSOR_INFO response: reserved address extension rule in DAQ_KEY_BYTE 0x%02X: %w", p[7], ErrMalformed)
	}
	return nil
}

// TimestampUnit is the unit of DAQ timestamps and event cycle times.
type TimestampUnit uint8

// Timestamp units.
const (
	Unit1ns   TimestampUnit = 0
	Unit10ns  TimestampUnit = 1
	Unit100ns TimestampUnit = 2
	Unit1us   TimestampUnit = 3
	Unit10us  TimestampUnit = 4
	Unit100us TimestampUnit = 5
	Unit1ms   TimestampUnit = 6
	Unit10ms  TimestampUnit = 7
	Unit100ms TimestampUnit = 8
	Unit1s    TimestampUnit = 9
	Unit1ps   TimestampUnit = 10
	Unit10ps  TimestampUnit = 11
	Unit100ps TimestampUnit = 12
)

var unitPicos = [...]uint64{1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1, 10, 100}
var unitNames = [...]string{"1ns", "10ns", "100ns", "1us", "10us", "100us", "1ms", "10ms", "100ms", "1s", "1ps", "10ps", "100ps"}

// Valid reports whether u is a defined unit.
func (u TimestampUnit) Valid() bool { return int(u) < len(unitPicos) }

// Picoseconds returns the length of the unit in picoseconds (0 if invalid).
func (u TimestampUnit) Picoseconds() uint64 {
	if u.Valid() {
		return unitPicos[u]
	}
	return 0
}

// String returns a readable name of the TimestampUnit for messages.
func (u TimestampUnit) String() string {
	if u.Valid() {
		return unitNames[u]
	}
	return fmt.Sprintf("unit(0x%X)", uint8(u))
}

// ParseTimestampUnit accepts "1us", "DAQ_TIMESTAMP_UNIT_1US" and similar.
func ParseTimestampUnit(s string) (TimestampUnit, error) {
	t := s
	if len(t) > 19 && (t[:19] == "DAQ_TIMESTAMP_UNIT_" || t[:19] == "daq_timestamp_unit_") {
		t = t[19:]
	}
	for i, n := range unitNames {
		if equalFold(n, t) {
			return TimestampUnit(i), nil
		}
	}
	return 0, fmt.Errorf("xcp: unknown timestamp unit %q (want e.g. 1ns, 10us, 1ms)", s)
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// TimestampMode is the TIMESTAMP_MODE byte of GET_DAQ_RESOLUTION_INFO.
type TimestampMode uint8

// MakeTimestampMode composes a TIMESTAMP_MODE byte.
func MakeTimestampMode(size int, fixed bool, unit TimestampUnit) TimestampMode {
	m := TimestampMode(size&7) | TimestampMode(unit&0x0F)<<4
	if fixed {
		m |= 0x08
	}
	return m
}

// Size returns the timestamp size in bytes (0 = no timestamp).
func (m TimestampMode) Size() int { return int(m & 7) }

// Fixed reports whether the slave always sends timestamps (TIMESTAMP_FIXED).
func (m TimestampMode) Fixed() bool { return m&0x08 != 0 }

// Unit returns the timestamp unit.
func (m TimestampMode) Unit() TimestampUnit { return TimestampUnit(m >> 4) }

// GetDaqResolutionInfoResponse is the response to GET_DAQ_RESOLUTION_INFO.
type GetDaqResolutionInfoResponse struct {
	GranularityDaq  uint8 // GRANULARITY_ODT_ENTRY_SIZE_DAQ (1, 2, 4 or 8)
	MaxEntrySizeDaq uint8
	GranularityStim uint8
	MaxEntrySizeSt  uint8
	TimestampMode   TimestampMode
	TimestampTicks  uint16
}

// Append encodes the response.
func (r GetDaqResolutionInfoResponse) Append(b []byte, f Format) []byte {
	b = append(b, PIDRes, r.GranularityDaq, r.MaxEntrySizeDaq, r.GranularityStim, r.MaxEntrySizeSt, byte(r.TimestampMode))
	return f.Order.AppendUint16(b, r.TimestampTicks)
}

// Decode decodes the response and checks the granularities and timestamp
// size for values XCP defines.
func (r *GetDaqResolutionInfoResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_DAQ_RESOLUTION_INFO response", p, PIDRes, 8); err != nil {
		return err
	}
	r.GranularityDaq, r.MaxEntrySizeDaq, r.GranularityStim, r.MaxEntrySizeSt = p[1], p[2], p[3], p[4]
	r.TimestampMode, r.TimestampTicks = TimestampMode(p[5]), f.Order.Uint16(p[6:])
	for _, g := range []uint8{r.GranularityDaq, r.GranularityStim} {
		if g != 1 && g != 2 && g != 4 && g != 8 {
			return fmt.Errorf("xcp: GET_DAQ_RESOLUTION_INFO response: ODT entry granularity %d is not 1, 2, 4 or 8: %w", g, ErrMalformed)
		}
	}
	if s := r.TimestampMode.Size(); s == 3 || s > 4 {
		return fmt.Errorf("xcp: GET_DAQ_RESOLUTION_INFO response: timestamp size %d is not 0, 1, 2 or 4: %w", s, ErrMalformed)
	}
	if r.TimestampMode.Size() > 0 && !r.TimestampMode.Unit().Valid() {
		return fmt.Errorf("xcp: GET_DAQ_RESOLUTION_INFO response: timestamp unit %d is undefined: %w", r.TimestampMode.Unit(), ErrMalformed)
	}
	return nil
}

// GetDaqListInfo is GET_DAQ_LIST_INFO.
type GetDaqListInfo struct{ List uint16 }

// Append encodes the command.
func (c GetDaqListInfo) Append(b []byte, f Format) []byte {
	return f.Order.AppendUint16(append(b, byte(CmdGetDaqListInfo), 0), c.List)
}

// Decode decodes the command.
func (c *GetDaqListInfo) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_DAQ_LIST_INFO", p, byte(CmdGetDaqListInfo), 4); err != nil {
		return err
	}
	c.List = f.Order.Uint16(p[2:])
	return nil
}

// DaqListProperties is the DAQ_LIST_PROPERTIES byte.
type DaqListProperties uint8

// DAQ_LIST_PROPERTIES bits.
const (
	ListPredefined DaqListProperties = 0x01
	ListEventFixed DaqListProperties = 0x02
	ListDAQ        DaqListProperties = 0x04 // list can be used for DAQ
	ListSTIM       DaqListProperties = 0x08 // list can be used for STIM
	ListPacked     DaqListProperties = 0x10 // packed mode supported (XCP 1.4+)
)

// GetDaqListInfoResponse is the response to GET_DAQ_LIST_INFO.
type GetDaqListInfoResponse struct {
	Properties DaqListProperties
	MaxODT     uint8
	MaxEntries uint8
	FixedEvent uint16
}

// Append encodes the response.
func (r GetDaqListInfoResponse) Append(b []byte, f Format) []byte {
	return f.Order.AppendUint16(append(b, PIDRes, byte(r.Properties), r.MaxODT, r.MaxEntries), r.FixedEvent)
}

// Decode decodes the response.
func (r *GetDaqListInfoResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_DAQ_LIST_INFO response", p, PIDRes, 6); err != nil {
		return err
	}
	r.Properties, r.MaxODT, r.MaxEntries, r.FixedEvent = DaqListProperties(p[1]), p[2], p[3], f.Order.Uint16(p[4:])
	return nil
}

// GetDaqEventInfo is GET_DAQ_EVENT_INFO. After a positive response the
// MTA points at the event channel name (NameLength bytes, for UPLOAD).
type GetDaqEventInfo struct{ Event uint16 }

// Append encodes the command.
func (c GetDaqEventInfo) Append(b []byte, f Format) []byte {
	return f.Order.AppendUint16(append(b, byte(CmdGetDaqEventInfo), 0), c.Event)
}

// Decode decodes the command.
func (c *GetDaqEventInfo) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_DAQ_EVENT_INFO", p, byte(CmdGetDaqEventInfo), 4); err != nil {
		return err
	}
	c.Event = f.Order.Uint16(p[2:])
	return nil
}

// EventProperties is the DAQ_EVENT_PROPERTIES byte.
type EventProperties uint8

// DAQ_EVENT_PROPERTIES bits and fields.
const (
	EventDAQ             EventProperties = 0x04
	EventSTIM            EventProperties = 0x08
	EventPacked          EventProperties = 0x10 // XCP 1.4+
	EventConsistencyMask EventProperties = 0xC0 // 0 ODT, 1 DAQ, 2 EVENT
)

// Consistency returns "ODT", "DAQ", "EVENT" or "NONE".
func (e EventProperties) Consistency() string {
	return [...]string{"ODT", "DAQ", "EVENT", "NONE"}[e>>6]
}

// GetDaqEventInfoResponse is the response to GET_DAQ_EVENT_INFO.
type GetDaqEventInfoResponse struct {
	Properties EventProperties
	MaxDaqList uint8 // 0xFF = unlimited
	NameLength uint8
	TimeCycle  uint8 // 0 = not cyclic
	TimeUnit   TimestampUnit
	Priority   uint8
}

// Append encodes the response.
func (r GetDaqEventInfoResponse) Append(b []byte, _ Format) []byte {
	return append(b, PIDRes, byte(r.Properties), r.MaxDaqList, r.NameLength, r.TimeCycle, byte(r.TimeUnit), r.Priority)
}

// Decode decodes the response.
func (r *GetDaqEventInfoResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_DAQ_EVENT_INFO response", p, PIDRes, 7); err != nil {
		return err
	}
	r.Properties, r.MaxDaqList, r.NameLength, r.TimeCycle = EventProperties(p[1]), p[2], p[3], p[4]
	r.TimeUnit, r.Priority = TimestampUnit(p[5]), p[6]
	return nil
}

// CycleNanos returns the event cycle in nanoseconds (0 if not cyclic).
func (r GetDaqEventInfoResponse) CycleNanos() int64 {
	return int64(uint64(r.TimeCycle) * r.TimeUnit.Picoseconds() / 1000)
}
