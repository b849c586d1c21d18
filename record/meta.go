package record

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// MetaVersion is the version of the metadata schema this package writes.
// Readers accept metadata of this version or lower.
//
// Version 2 added Measurement.Conversion (physical values); version 3
// writes snake_case keys ("byte_order", "bit_mask", "odt_bytes", ...) and
// the identification field as "id_field". Files of versions 1 and 2
// (camelCase keys) are read unchanged.
const MetaVersion = 3

// Meta is the self-describing part of a recording, stored as JSON in the
// file header.
type Meta struct {
	// Version is the metadata schema version (MetaVersion when written).
	Version int `json:"version"`
	// Tool names the program that wrote the file, e.g. "goxcp xcp record".
	Tool string `json:"tool,omitempty"`
	// Start is the wall-clock time of host timestamp 0: frame timestamps
	// count nanoseconds from it.
	Start time.Time `json:"start"`
	// Slave describes the slave the data came from.
	Slave Slave `json:"slave"`
	// DAQ is the layout of the DAQ lists; it tells the Decoder how to turn
	// DTO packets into samples.
	DAQ Layout `json:"daq"`
	// Comment is free text.
	Comment string `json:"comment,omitempty"`
}

// Slave holds the properties of the slave that matter for decoding and for
// the reader's orientation.
type Slave struct {
	Transport string `json:"transport,omitempty"` // "tcp", "udp", "can", ...
	Address   string `json:"address,omitempty"`   // remote endpoint
	// ByteOrder is "intel" (little-endian) or "motorola" (big-endian).
	ByteOrder string `json:"byte_order"`
	// AddressGranularity is 1, 2 or 4 (bytes per address unit).
	AddressGranularity int `json:"address_granularity,omitempty"`
	MaxCTO             int `json:"max_cto,omitempty"`
	MaxDTO             int `json:"max_dto,omitempty"`
	ProtocolVersion    int `json:"protocol_version,omitempty"`
	TransportVersion   int `json:"transport_version,omitempty"`
	// Identifier is the slave's ASAM identifier (GET_ID), if known.
	Identifier string `json:"identifier,omitempty"`
	// Properties holds further properties as text (resource bits, ...).
	Properties map[string]string `json:"properties,omitempty"`
}

// Layout is the DAQ configuration that produced the frames, as the
// recording stores it: every value by the ODT and the byte offset in the
// DTO packet where it starts. LayoutOf derives it from the layout a DAQ
// measurement used (a dto.Layout); DTO turns it back into one for
// decoding.
type Layout struct {
	IDField xcp.IDField `json:"-"` // stored by name: "absolute", "relative_byte", ...
	// TimestampSize is the size of the DTO timestamp in bytes (0, 1, 2, 4).
	TimestampSize int `json:"timestamp_size,omitempty"`
	// TimestampTickNS is the duration of one timestamp tick in nanoseconds
	// (unit × ticks per unit of GET_DAQ_RESOLUTION_INFO).
	TimestampTickNS float64 `json:"timestamp_tick_ns,omitempty"`
	// OverloadMSB is true if the slave signals overload by setting the
	// most significant bit of the PID; the decoder then masks it and counts.
	OverloadMSB bool `json:"overload_msb,omitempty"`
	// Lists are the DAQ lists.
	Lists []List `json:"lists"`
}

// List is one DAQ list of a recording (see dto.List for the fields they
// share).
type List struct {
	Name       string `json:"name"`
	Number     uint16 `json:"number"` // DAQ list number on the slave
	Event      uint16 `json:"event"`
	EventName  string `json:"event_name,omitempty"`
	Prescaler  uint8  `json:"prescaler,omitempty"`
	Priority   uint8  `json:"priority,omitempty"`
	Timestamps bool   `json:"timestamps,omitempty"`
	// FirstPID is the PID of the list's first ODT with absolute ODT
	// numbers; unused otherwise.
	FirstPID uint8 `json:"first_pid,omitempty"`
	// ODTs is the number of ODTs of the list; a sample is complete when ODT
	// ODTs-1 arrives.
	ODTs int `json:"odts"`
	// ODTBytes, if given, holds the data bytes of each ODT (after
	// identification field and timestamp); a value may then continue from
	// the end of its ODT into the next one. Without it an ODT's data is
	// taken to end after its last value.
	ODTBytes []int `json:"odt_bytes,omitempty"`
	// Measurements are the list's values.
	Measurements []Measurement `json:"measurements"`
}

// Measurement is one value in a DAQ list: the measured dto.Measurement,
// where it sits in the DTOs and what the A2L says about it.
type Measurement struct {
	dto.Measurement
	// ODT is the ODT (relative to the list) that carries the value.
	ODT int `json:"odt"`
	// Offset is the byte offset of the value in the DTO packet, counted
	// from the PID (so it includes identification field and timestamp).
	Offset int `json:"offset"`
	// Unit is the unit of the physical value (of the raw value if there
	// is no conversion).
	Unit string `json:"unit,omitempty"`
	// Conversion, if set, turns the raw value into the physical one (an
	// A2L COMPU_METHOD as plain data, see goxcp/compu.Spec); set when
	// the measurement came from an A2L (schema version 2).
	Conversion *compu.Spec `json:"conversion,omitempty"`
	// Comment is the A2L long identifier of the measurement, if known.
	Comment string `json:"comment,omitempty"`
	// Limits are the A2L lower and upper limits (physical), if known.
	Limits *Limits `json:"limits,omitempty"`
}

// Limits are the physical limits of a measurement.
type Limits struct {
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
}

// Validate checks the layout for consistency: known types, ODT and offset
// ranges, unique list numbers (and PIDs with absolute identification).
// The Decoder relies on a validated layout.
func (l *Layout) Validate() error {
	if l.IDField > xcp.IDRelODTAbsDAQWordAl {
		return fmt.Errorf("record: unknown identification field type %d", l.IDField)
	}
	hdr := l.IDField.Len()
	switch l.TimestampSize {
	case 0, 1, 2, 4:
	default:
		return fmt.Errorf("record: timestamp size %d (want 0, 1, 2 or 4)", l.TimestampSize)
	}
	if l.TimestampTickNS < 0 || math.IsNaN(l.TimestampTickNS) || math.IsInf(l.TimestampTickNS, 0) {
		return fmt.Errorf("record: bad timestamp tick %v ns", l.TimestampTickNS)
	}
	numbers := map[uint16]bool{}
	var pids [256]bool
	for i := range l.Lists {
		li := &l.Lists[i]
		if li.ODTs < 1 || li.ODTs > 256 {
			return fmt.Errorf("record: list %q: %d ODTs (want 1..256)", li.Name, li.ODTs)
		}
		if l.IDField == xcp.IDRelODTAbsDAQByte && li.Number > 0xFF {
			return fmt.Errorf("record: list %q: number %d out of range for %s identification", li.Name, li.Number, dto.IDFieldName(l.IDField))
		}
		if numbers[li.Number] {
			return fmt.Errorf("record: list %q: duplicate list number %d", li.Name, li.Number)
		}
		numbers[li.Number] = true
		maxPID := 0xFB
		if l.OverloadMSB {
			maxPID = 0x7F
		}
		if l.IDField == xcp.IDAbsODT {
			first := int(li.FirstPID)
			if first+li.ODTs-1 > maxPID {
				return fmt.Errorf("record: list %q: PIDs %d..%d out of range", li.Name, first, first+li.ODTs-1)
			}
			for p := first; p < first+li.ODTs; p++ {
				if pids[p] {
					return fmt.Errorf("record: list %q: PID %d used twice", li.Name, p)
				}
				pids[p] = true
			}
		} else if li.ODTs-1 > maxPID {
			return fmt.Errorf("record: list %q: %d ODTs exceed the PID range", li.Name, li.ODTs)
		}
		for j := range li.Measurements {
			m := &li.Measurements[j]
			if m.Type == 0 || m.Type.Size() == 0 {
				return fmt.Errorf("record: list %q: measurement %q: invalid type", li.Name, m.Name)
			}
			if m.ODT < 0 || m.ODT >= li.ODTs {
				return fmt.Errorf("record: list %q: measurement %q: ODT %d out of range", li.Name, m.Name, m.ODT)
			}
			min := hdr
			if m.ODT == 0 && li.Timestamps {
				min += l.TimestampSize
			}
			if m.Offset < min || m.Offset+m.Type.Size() > 0xFFFF {
				return fmt.Errorf("record: list %q: measurement %q: offset %d out of range (data starts at %d)", li.Name, m.Name, m.Offset, min)
			}
		}
	}
	return nil
}

// layoutJSON is Layout with the identification field by name.
type layoutJSON struct {
	IDField string `json:"id_field"`
	layoutFields
}

type layoutFields Layout

// MarshalJSON writes the layout with snake_case keys and the
// identification field by name (dto.IDFieldName).
func (l Layout) MarshalJSON() ([]byte, error) {
	return json.Marshal(layoutJSON{IDField: dto.IDFieldName(l.IDField), layoutFields: layoutFields(l)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (l *Layout) UnmarshalJSON(b []byte) error {
	var x layoutJSON
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	idf, err := dto.ParseIDField(x.IDField)
	if err != nil {
		return err
	}
	*l = Layout(x.layoutFields)
	l.IDField = idf
	return nil
}

// marshalMeta encodes m as JSON for the file header.
func marshalMeta(m *Meta) ([]byte, error) {
	c := *m
	if c.Version == 0 {
		c.Version = MetaVersion
	}
	return json.Marshal(&c)
}

// unmarshalMeta decodes and checks the metadata block; metadata before
// version 3 (camelCase keys) is read with readMetaV2.
func unmarshalMeta(b []byte) (*Meta, error) {
	var v struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("%w: metadata: %v", ErrCorrupt, err)
	}
	if v.Version < 1 || v.Version > MetaVersion {
		return nil, fmt.Errorf("%w: metadata version %d (this reader knows up to %d)", ErrVersion, v.Version, MetaVersion)
	}
	if v.Version < 3 {
		m, err := readMetaV2(b)
		if err != nil {
			return nil, fmt.Errorf("%w: metadata: %v", ErrCorrupt, err)
		}
		return m, nil
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: metadata: %v", ErrCorrupt, err)
	}
	return &m, nil
}
