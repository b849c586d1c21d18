package record

import (
	"encoding/json"
	"fmt"
	"github.com/goxcp/goxcp/protocol/dto"
	"math"
	"strings"
	"time"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// MetaVersion is the version of the metadata schema this package writes.
// Readers accept metadata of this version or lower.
//
// Version 2 added Measurement.Conversion (physical values); version 1
// files are read unchanged (they have no conversions).
const MetaVersion = 2

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
	ByteOrder string `json:"byteOrder"`
	// AddressGranularity is 1, 2 or 4 (bytes per address unit).
	AddressGranularity int `json:"addressGranularity,omitempty"`
	MaxCTO             int `json:"maxCto,omitempty"`
	MaxDTO             int `json:"maxDto,omitempty"`
	ProtocolVersion    int `json:"protocolVersion,omitempty"`
	TransportVersion   int `json:"transportVersion,omitempty"`
	// Identifier is the slave's ASAM identifier (GET_ID), if known.
	Identifier string `json:"identifier,omitempty"`
	// Properties holds further properties as text (resource bits, ...).
	Properties map[string]string `json:"properties,omitempty"`
}

// Identification field types (ASAM XCP part 2, DAQ_KEY_BYTE).
const (
	IDAbsolute            = "absolute"              // PID = absolute ODT number
	IDRelativeByte        = "relative_byte"         // PID = relative ODT, DAQ number as byte
	IDRelativeWord        = "relative_word"         // PID, DAQ number as word
	IDRelativeWordAligned = "relative_word_aligned" // PID, fill byte, DAQ number as word
)

// Layout is the DAQ configuration that produced the frames.
type Layout struct {
	// IDField is one of the ID* constants.
	IDField string `json:"idField"`
	// TimestampSize is the size of the DTO timestamp in bytes (0, 1, 2, 4).
	TimestampSize int `json:"timestampSize,omitempty"`
	// TimestampTickNS is the duration of one timestamp tick in nanoseconds
	// (unit × ticks per unit of GET_DAQ_RESOLUTION_INFO).
	TimestampTickNS float64 `json:"timestampTickNs,omitempty"`
	// OverloadPIDMSB is true if the slave signals overload by setting the
	// most significant bit of the PID; the decoder then masks it and counts.
	OverloadPIDMSB bool `json:"overloadPidMsb,omitempty"`
	// Lists are the DAQ lists.
	Lists []List `json:"lists"`
}

// List is one DAQ list.
type List struct {
	Name      string `json:"name"`
	Number    int    `json:"number"` // DAQ list number on the slave
	Event     int    `json:"event"`
	EventName string `json:"eventName,omitempty"`
	Prescaler int    `json:"prescaler,omitempty"`
	Priority  int    `json:"priority,omitempty"`
	// Timestamps is true if the first ODT of every sample carries a
	// timestamp (after the identification field).
	Timestamps bool `json:"timestamps,omitempty"`
	// FirstPID is the PID of the list's first ODT with absolute ODT
	// numbers (IDAbsolute); unused otherwise.
	FirstPID int `json:"firstPid,omitempty"`
	// ODTs is the number of ODTs of the list; a sample is complete when ODT
	// ODTs-1 arrives.
	ODTs int `json:"odts"`
	// ODTBytes, if given (schema version 2), holds the data bytes of each
	// ODT (after identification field and timestamp); a value may then
	// continue from the end of its ODT into the next one. Without it an
	// ODT's data is taken to end after its last value.
	ODTBytes []int `json:"odtBytes,omitempty"`
	// Measurements are the list's values.
	Measurements []Measurement `json:"measurements"`
}

// Measurement is one value in a DAQ list.
type Measurement struct {
	Name string   `json:"name"`
	Type dto.Type `json:"type"`
	// ODT is the ODT (relative to the list) that carries the value.
	ODT int `json:"odt"`
	// Offset is the byte offset of the value in the DTO packet, counted
	// from the PID (so it includes identification field and timestamp).
	Offset int `json:"offset"`
	// BitMask, if not zero, is applied to the raw value and the result
	// shifted right by the mask's trailing zeros.
	BitMask   uint64 `json:"bitMask,omitempty"`
	Address   uint32 `json:"address,omitempty"`
	Extension uint8  `json:"extension,omitempty"`
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

// byteOrder returns the byte order for a Slave.ByteOrder string.
func byteOrder(s string) (xcp.ByteOrder, error) {
	switch strings.ToLower(s) {
	case "", "intel", "little", "little-endian":
		return xcp.Intel, nil
	case "motorola", "big", "big-endian":
		return xcp.Motorola, nil
	}
	return 0, fmt.Errorf("record: unknown byte order %q", s)
}

// idHeaderSize returns the size of the identification field.
func idHeaderSize(id string) (int, error) {
	switch id {
	case IDAbsolute:
		return 1, nil
	case IDRelativeByte:
		return 2, nil
	case IDRelativeWord:
		return 3, nil
	case IDRelativeWordAligned:
		return 4, nil
	}
	return 0, fmt.Errorf("record: unknown identification field type %q", id)
}

// Validate checks the layout for consistency: known types, ODT and offset
// ranges, unique list numbers (and PIDs with absolute identification).
// The Decoder relies on a validated layout.
func (l *Layout) Validate() error {
	hdr, err := idHeaderSize(l.IDField)
	if err != nil {
		return err
	}
	switch l.TimestampSize {
	case 0, 1, 2, 4:
	default:
		return fmt.Errorf("record: timestamp size %d (want 0, 1, 2 or 4)", l.TimestampSize)
	}
	if l.TimestampTickNS < 0 || math.IsNaN(l.TimestampTickNS) || math.IsInf(l.TimestampTickNS, 0) {
		return fmt.Errorf("record: bad timestamp tick %v ns", l.TimestampTickNS)
	}
	numbers := map[int]bool{}
	var pids [256]bool
	for i := range l.Lists {
		li := &l.Lists[i]
		if li.ODTs < 1 || li.ODTs > 256 {
			return fmt.Errorf("record: list %q: %d ODTs (want 1..256)", li.Name, li.ODTs)
		}
		if li.Number < 0 || li.Number > 0xFFFF || (l.IDField == IDRelativeByte && li.Number > 0xFF) {
			return fmt.Errorf("record: list %q: number %d out of range for %s identification", li.Name, li.Number, l.IDField)
		}
		if numbers[li.Number] {
			return fmt.Errorf("record: list %q: duplicate list number %d", li.Name, li.Number)
		}
		numbers[li.Number] = true
		maxPID := 0xFB
		if l.OverloadPIDMSB {
			maxPID = 0x7F
		}
		if l.IDField == IDAbsolute {
			if li.FirstPID < 0 || li.FirstPID+li.ODTs-1 > maxPID {
				return fmt.Errorf("record: list %q: PIDs %d..%d out of range", li.Name, li.FirstPID, li.FirstPID+li.ODTs-1)
			}
			for p := li.FirstPID; p < li.FirstPID+li.ODTs; p++ {
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

// marshalMeta encodes m as JSON for the file header.
func marshalMeta(m *Meta) ([]byte, error) {
	c := *m
	if c.Version == 0 {
		c.Version = MetaVersion
	}
	return json.Marshal(&c)
}

// unmarshalMeta decodes and checks the metadata block.
func unmarshalMeta(b []byte) (*Meta, error) {
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: metadata: %v", ErrCorrupt, err)
	}
	if m.Version < 1 || m.Version > MetaVersion {
		return nil, fmt.Errorf("%w: metadata version %d (this reader knows up to %d)", ErrVersion, m.Version, MetaVersion)
	}
	return &m, nil
}
