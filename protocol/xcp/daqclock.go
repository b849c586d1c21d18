package xcp

import "fmt"

// Clock formats of the PAYLOAD_FMT byte of GET_DAQ_CLOCK / EV_TIME_SYNC
// (XCP 1.3+ time correlation): 0 not present, 1 DWORD, 2 DLONG.
const (
	ClockAbsent = 0
	ClockDWord  = 1
	ClockDLong  = 2
)

// DaqClock is the time information of a GET_DAQ_CLOCK response or an
// EV_TIME_SYNC event. In the legacy format (PAYLOAD_FMT 0) only Slave is
// present, as a DWORD.
type DaqClock struct {
	TriggerInfo uint8  `json:"trigger_info"` // TRIGGER_INFO: trigger initiator (bits 0..2), time of sampling (bits 3..4)
	PayloadFmt  uint8  `json:"payload_fmt"`  // PAYLOAD_FMT: FMT_XCP_SLV (0..1), FMT_GRANDM (2..3), FMT_ECU (4..5), CLUSTER_IDENTIFIER (6)
	Slave       uint64 `json:"slave"`
	Grandmaster uint64 `json:"grandmaster"`
	ECU         uint64 `json:"ecu"`
	ClusterID   uint16 `json:"cluster_id"`
	Counter     uint8  `json:"counter"`
	SyncState   uint8  `json:"sync_state"` // present when a grandmaster or ECU clock is
	HasSync     bool   `json:"has_sync"`
}

func (c DaqClock) fmts() (slv, gm, ecu int, cluster bool) {
	slv = int(c.PayloadFmt & 3)
	if slv == ClockAbsent {
		slv = ClockDWord // legacy
	}
	return slv, int(c.PayloadFmt>>2) & 3, int(c.PayloadFmt>>4) & 3, c.PayloadFmt&0x40 != 0
}

func appendClock(b []byte, f Format, v uint64, fm int) []byte {
	switch fm {
	case ClockDWord:
		return f.Order.AppendUint32(b, uint32(v))
	case ClockDLong:
		return f.Order.AppendUint64(b, v)
	}
	return b
}

func (c DaqClock) appendPayload(b []byte, f Format) []byte {
	slv, gm, ecu, cluster := c.fmts()
	b = append(b, c.TriggerInfo, c.PayloadFmt)
	b = appendClock(b, f, c.Slave, slv)
	b = appendClock(b, f, c.Grandmaster, gm)
	b = appendClock(b, f, c.ECU, ecu)
	if cluster {
		b = append(f.Order.AppendUint16(b, c.ClusterID), c.Counter)
	}
	if c.HasSync {
		b = append(b, c.SyncState)
	}
	return b
}

func (c *DaqClock) decodePayload(what string, p []byte, f Format) error {
	c.TriggerInfo, c.PayloadFmt = p[0], p[1]
	slv, gm, ecu, cluster := c.fmts()
	if slv == 3 || gm == 3 || ecu == 3 {
		return fmt.Errorf("xcp: %s: reserved clock format in PAYLOAD_FMT 0x%02X: %w", what, c.PayloadFmt, ErrMalformed)
	}
	q := p[2:]
	read := func(fm int) (uint64, error) {
		switch fm {
		case ClockDWord:
			if len(q) < 4 {
				return 0, &FormatError{What: what, Need: len(p) + 4 - len(q), Got: len(p)}
			}
			v := uint64(f.Order.Uint32(q))
			q = q[4:]
			return v, nil
		case ClockDLong:
			if len(q) < 8 {
				return 0, &FormatError{What: what, Need: len(p) + 8 - len(q), Got: len(p)}
			}
			v := f.Order.Uint64(q)
			q = q[8:]
			return v, nil
		}
		return 0, nil
	}
	var err error
	if c.Slave, err = read(slv); err != nil {
		return err
	}
	if c.Grandmaster, err = read(gm); err != nil {
		return err
	}
	if c.ECU, err = read(ecu); err != nil {
		return err
	}
	c.ClusterID, c.Counter = 0, 0
	if cluster {
		if len(q) < 3 {
			return &FormatError{What: what, Need: len(p) + 3 - len(q), Got: len(p)}
		}
		c.ClusterID, c.Counter = f.Order.Uint16(q), q[2]
		q = q[3:]
	}
	c.HasSync, c.SyncState = false, 0
	if len(q) > 0 && (gm != 0 || ecu != 0) {
		c.HasSync, c.SyncState = true, q[0]
	}
	return nil
}

// GetDaqClockResponse is the response to GET_DAQ_CLOCK:
//
//	FF, reserved, TRIGGER_INFO, PAYLOAD_FMT, timestamps...
//
// A legacy slave leaves bytes 2 and 3 zero and sends a DWORD at 4.
type GetDaqClockResponse struct{ DaqClock }

// Append encodes the response.
func (r GetDaqClockResponse) Append(b []byte, f Format) []byte {
	return r.appendPayload(append(b, PIDRes, 0), f)
}

// Decode decodes the response.
func (r *GetDaqClockResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_DAQ_CLOCK response", p, PIDRes, 8); err != nil {
		return err
	}
	return r.decodePayload("GET_DAQ_CLOCK response", p[2:], f)
}

// DecodeTimeSync decodes the payload of an EV_TIME_SYNC event (ev.Data,
// starting with TRIGGER_INFO).
func DecodeTimeSync(data []byte, f Format) (DaqClock, error) {
	var c DaqClock
	if len(data) < 6 {
		return c, &FormatError{What: "EV_TIME_SYNC", Need: 8, Got: len(data) + 2}
	}
	err := c.decodePayload("EV_TIME_SYNC", data, f)
	return c, err
}

// AppendTimeSync encodes an EV_TIME_SYNC event packet.
func AppendTimeSync(b []byte, f Format, c DaqClock) []byte {
	return c.appendPayload(append(b, PIDEv, byte(EvTimeSync)), f)
}

// DtoCtrProperties is DTO_CTR_PROPERTIES (XCP 1.5): it queries or sets how
// an event channel fills the DTO counter field.
type DtoCtrProperties struct {
	Modifier     uint8 // bit 0 set related event, bit 1 set mode, bit 2 set STIM mode
	Event        uint16
	RelatedEvent uint16
	Mode         uint8
}

// Append encodes the command.
func (c DtoCtrProperties) Append(b []byte, f Format) []byte {
	b = f.Order.AppendUint16(append(b, byte(CmdDtoCtrProperties), c.Modifier), c.Event)
	return append(f.Order.AppendUint16(b, c.RelatedEvent), c.Mode)
}

// Decode decodes the command.
func (c *DtoCtrProperties) Decode(p []byte, f Format) error {
	if err := checkPacket("DTO_CTR_PROPERTIES", p, byte(CmdDtoCtrProperties), 7); err != nil {
		return err
	}
	c.Modifier, c.Event, c.RelatedEvent, c.Mode = p[1], f.Order.Uint16(p[2:]), f.Order.Uint16(p[4:]), p[6]
	return nil
}

// DtoCtrPropertiesResponse is the response to DTO_CTR_PROPERTIES.
type DtoCtrPropertiesResponse struct {
	Properties   uint8
	RelatedEvent uint16
	Mode         uint8
}

// Append encodes the response.
func (r DtoCtrPropertiesResponse) Append(b []byte, f Format) []byte {
	return append(f.Order.AppendUint16(append(b, PIDRes, r.Properties), r.RelatedEvent), r.Mode)
}

// Decode decodes the response.
func (r *DtoCtrPropertiesResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("DTO_CTR_PROPERTIES response", p, PIDRes, 5); err != nil {
		return err
	}
	r.Properties, r.RelatedEvent, r.Mode = p[1], f.Order.Uint16(p[2:]), p[4]
	return nil
}

// PackedMode is DAQ_PACKED_MODE.
type PackedMode uint8

// Packed modes.
const (
	NotPacked      PackedMode = 0
	ElementGrouped PackedMode = 1
	EventGrouped   PackedMode = 2
)

// SetDaqPackedMode is the level-1 command SET_DAQ_PACKED_MODE. The
// timestamp mode and sample count are sent only for a packed mode.
type SetDaqPackedMode struct {
	List          uint16
	Mode          PackedMode
	TimestampMode uint8 // DPM_TIMESTAMP_MODE: 0 last sample, 1 first sample
	SampleCount   uint16
}

// Append encodes the command.
func (c SetDaqPackedMode) Append(b []byte, f Format) []byte {
	b = f.Order.AppendUint16(append(b, byte(CmdLevel1), byte(L1SetDaqPackedMode)), c.List)
	b = append(b, byte(c.Mode))
	if c.Mode != NotPacked {
		b = f.Order.AppendUint16(append(b, c.TimestampMode), c.SampleCount)
	}
	return b
}

// Decode decodes the command.
func (c *SetDaqPackedMode) Decode(p []byte, f Format) error {
	if err := checkPacket("SET_DAQ_PACKED_MODE", p, byte(CmdLevel1), 5); err != nil {
		return err
	}
	if Level1(p[1]) != L1SetDaqPackedMode {
		return fmt.Errorf("xcp: SET_DAQ_PACKED_MODE: sub-command 0x%02X: %w", p[1], ErrMalformed)
	}
	c.List, c.Mode, c.TimestampMode, c.SampleCount = f.Order.Uint16(p[2:]), PackedMode(p[4]), 0, 0
	if c.Mode > EventGrouped {
		return fmt.Errorf("xcp: SET_DAQ_PACKED_MODE: mode %d is unknown: %w", c.Mode, ErrMalformed)
	}
	if c.Mode != NotPacked {
		if len(p) < 8 {
			return &FormatError{What: "SET_DAQ_PACKED_MODE (packed)", Need: 8, Got: len(p)}
		}
		c.TimestampMode, c.SampleCount = p[5], f.Order.Uint16(p[6:])
	}
	return nil
}

// GetDaqPackedMode is the level-1 command GET_DAQ_PACKED_MODE.
type GetDaqPackedMode struct{ List uint16 }

// Append encodes the command.
func (c GetDaqPackedMode) Append(b []byte, f Format) []byte {
	return f.Order.AppendUint16(append(b, byte(CmdLevel1), byte(L1GetDaqPackedMode)), c.List)
}

// Decode decodes the command.
func (c *GetDaqPackedMode) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_DAQ_PACKED_MODE", p, byte(CmdLevel1), 4); err != nil {
		return err
	}
	if Level1(p[1]) != L1GetDaqPackedMode {
		return fmt.Errorf("xcp: GET_DAQ_PACKED_MODE: sub-command 0x%02X: %w", p[1], ErrMalformed)
	}
	c.List = f.Order.Uint16(p[2:])
	return nil
}

// GetDaqPackedModeResponse is the response to GET_DAQ_PACKED_MODE.
type GetDaqPackedModeResponse struct {
	Mode          PackedMode
	TimestampMode uint8
	SampleCount   uint16
}

// Append encodes the response.
func (r GetDaqPackedModeResponse) Append(b []byte, f Format) []byte {
	b = append(b, PIDRes, 0, byte(r.Mode))
	if r.Mode != NotPacked {
		b = f.Order.AppendUint16(append(b, r.TimestampMode), r.SampleCount)
	}
	return b
}

// Decode decodes the response.
func (r *GetDaqPackedModeResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_DAQ_PACKED_MODE response", p, PIDRes, 3); err != nil {
		return err
	}
	r.Mode, r.TimestampMode, r.SampleCount = PackedMode(p[2]), 0, 0
	if r.Mode > EventGrouped {
		return fmt.Errorf("xcp: GET_DAQ_PACKED_MODE response: mode %d is unknown: %w", r.Mode, ErrMalformed)
	}
	if r.Mode != NotPacked {
		if len(p) < 6 {
			return &FormatError{What: "GET_DAQ_PACKED_MODE response (packed)", Need: 6, Got: len(p)}
		}
		r.TimestampMode, r.SampleCount = p[3], f.Order.Uint16(p[4:])
	}
	return nil
}

// AppendDTOHeader appends the identification field of a DAQ packet: the
// absolute ODT number (odt, list ignored) or the relative ODT number with
// the DAQ list number as a byte, word or aligned word.
func (i IDField) AppendDTOHeader(b []byte, f Format, odt uint8, list uint16) []byte {
	switch i {
	case IDRelODTAbsDAQByte:
		return append(b, odt, uint8(list))
	case IDRelODTAbsDAQWord:
		return f.Order.AppendUint16(append(b, odt), list)
	case IDRelODTAbsDAQWordAl:
		return f.Order.AppendUint16(append(b, odt, 0), list)
	}
	return append(b, odt)
}

// ParseDTOHeader reads the identification field of a DAQ packet: the ODT
// number (absolute for IDAbsODT, relative otherwise), the DAQ list number
// (0 for IDAbsODT) and the length of the field. ok is false if p is too
// short.
func (i IDField) ParseDTOHeader(p []byte, f Format) (odt uint8, list uint16, n int, ok bool) {
	n = i.Len()
	if len(p) < n {
		return 0, 0, n, false
	}
	switch i {
	case IDRelODTAbsDAQByte:
		return p[0], uint16(p[1]), n, true
	case IDRelODTAbsDAQWord:
		return p[0], f.Order.Uint16(p[1:]), n, true
	case IDRelODTAbsDAQWordAl:
		return p[0], f.Order.Uint16(p[2:]), n, true
	}
	return p[0], 0, n, true
}
