package xcp

import "fmt"

// Sub-commands of TRANSPORT_LAYER_CMD for XCP on CAN (ASAM MCD-1 XCP 1.5
// part 3, XCP on CAN).
const (
	CANGetSlaveID uint8 = 0xFF // GET_SLAVE_ID
	CANGetDaqID   uint8 = 0xFE // GET_DAQ_ID
	CANSetDaqID   uint8 = 0xFD // SET_DAQ_ID
)

// slaveIDPattern is the "XCP" pattern of GET_SLAVE_ID; a slave answers it
// (mode 0) or its bitwise inverse (mode 1).
var slaveIDPattern = [3]byte{'X', 'C', 'P'}

// GetSlaveID is the XCP-on-CAN GET_SLAVE_ID command (F2 FF 'X' 'C' 'P'
// MODE), usually sent on the broadcast identifier. Inverse = false asks
// slaves to identify themselves by echo (mode 0); true asks for the
// confirmation by inverse echo (mode 1).
type GetSlaveID struct {
	Inverse bool
}

// Append encodes the command.
func (c GetSlaveID) Append(b []byte, _ Format) []byte {
	mode := byte(0)
	if c.Inverse {
		mode = 1
	}
	return append(b, byte(CmdTransportLayerCmd), CANGetSlaveID, 'X', 'C', 'P', mode)
}

// Decode decodes the command; the echo pattern and the mode are checked.
func (c *GetSlaveID) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_SLAVE_ID", p, byte(CmdTransportLayerCmd), 6); err != nil {
		return err
	}
	if p[1] != CANGetSlaveID {
		return fmt.Errorf("xcp: GET_SLAVE_ID: sub-command 0x%02X, want 0xFF: %w", p[1], ErrMalformed)
	}
	if [3]byte(p[2:5]) != slaveIDPattern {
		return fmt.Errorf("xcp: GET_SLAVE_ID: pattern % X, want 58 43 50 (\"XCP\"): %w", p[2:5], ErrMalformed)
	}
	if p[5] > 1 {
		return fmt.Errorf("xcp: GET_SLAVE_ID: mode %d, want 0 (echo) or 1 (inverse echo): %w", p[5], ErrMalformed)
	}
	c.Inverse = p[5] == 1
	return nil
}

// GetSlaveIDResponse is the answer to GET_SLAVE_ID: the echo (or inverse
// echo) of "XCP" and the CAN identifier the slave receives commands on
// (CMD/STIM, A2L bit-31 convention for extended identifiers).
type GetSlaveIDResponse struct {
	Inverse bool
	CmdID   uint32
}

// Append encodes the response.
func (r GetSlaveIDResponse) Append(b []byte, f Format) []byte {
	e := slaveIDPattern
	if r.Inverse {
		e = [3]byte{^e[0], ^e[1], ^e[2]}
	}
	b = append(b, PIDRes, e[0], e[1], e[2])
	return f.Order.AppendUint32(b, r.CmdID)
}

// Decode decodes the response; bytes 1..3 must be "XCP" or its inverse.
func (r *GetSlaveIDResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_SLAVE_ID response", p, PIDRes, 8); err != nil {
		return err
	}
	e := [3]byte(p[1:4])
	switch e {
	case slaveIDPattern:
		r.Inverse = false
	case [3]byte{^slaveIDPattern[0], ^slaveIDPattern[1], ^slaveIDPattern[2]}:
		r.Inverse = true
	default:
		return fmt.Errorf("xcp: GET_SLAVE_ID response: pattern % X is neither \"XCP\" nor its inverse: %w", e[:], ErrMalformed)
	}
	r.CmdID = f.Order.Uint32(p[4:8])
	return nil
}

// GetDaqID is the XCP-on-CAN GET_DAQ_ID command (F2 FE LIST(word)): which
// CAN identifier carries the DTOs of a DAQ list.
type GetDaqID struct {
	List uint16
}

// Append encodes the command.
func (c GetDaqID) Append(b []byte, f Format) []byte {
	b = append(b, byte(CmdTransportLayerCmd), CANGetDaqID)
	return f.Order.AppendUint16(b, c.List)
}

// Decode decodes the command.
func (c *GetDaqID) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_DAQ_ID", p, byte(CmdTransportLayerCmd), 4); err != nil {
		return err
	}
	if p[1] != CANGetDaqID {
		return fmt.Errorf("xcp: GET_DAQ_ID: sub-command 0x%02X, want 0xFE: %w", p[1], ErrMalformed)
	}
	c.List = f.Order.Uint16(p[2:4])
	return nil
}

// GetDaqIDResponse is the answer to GET_DAQ_ID: whether the identifier is
// fixed (SET_DAQ_ID cannot change it) and the identifier (bit-31
// convention).
type GetDaqIDResponse struct {
	Fixed bool
	ID    uint32
}

// Append encodes the response (FF FIXED 00 00 ID(dword)).
func (r GetDaqIDResponse) Append(b []byte, f Format) []byte {
	fixed := byte(0)
	if r.Fixed {
		fixed = 1
	}
	b = append(b, PIDRes, fixed, 0, 0)
	return f.Order.AppendUint32(b, r.ID)
}

// Decode decodes the response.
func (r *GetDaqIDResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_DAQ_ID response", p, PIDRes, 8); err != nil {
		return err
	}
	if p[1] > 1 {
		return fmt.Errorf("xcp: GET_DAQ_ID response: CAN_ID_FIXED %d, want 0 or 1: %w", p[1], ErrMalformed)
	}
	r.Fixed = p[1] == 1
	r.ID = f.Order.Uint32(p[4:8])
	return nil
}

// SetDaqID is the XCP-on-CAN SET_DAQ_ID command (F2 FD LIST(word)
// ID(dword)): the slave sends the DTOs of the list on the identifier.
type SetDaqID struct {
	List uint16
	ID   uint32
}

// Append encodes the command.
func (c SetDaqID) Append(b []byte, f Format) []byte {
	b = append(b, byte(CmdTransportLayerCmd), CANSetDaqID)
	b = f.Order.AppendUint16(b, c.List)
	return f.Order.AppendUint32(b, c.ID)
}

// Decode decodes the command.
func (c *SetDaqID) Decode(p []byte, f Format) error {
	if err := checkPacket("SET_DAQ_ID", p, byte(CmdTransportLayerCmd), 8); err != nil {
		return err
	}
	if p[1] != CANSetDaqID {
		return fmt.Errorf("xcp: SET_DAQ_ID: sub-command 0x%02X, want 0xFD: %w", p[1], ErrMalformed)
	}
	c.List = f.Order.Uint16(p[2:4])
	c.ID = f.Order.Uint32(p[4:8])
	return nil
}
