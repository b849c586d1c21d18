package xcp

import "fmt"

// Every packet type T in this package follows one pattern:
//
//	func (T) Append(b []byte, f Format) []byte   // encode, PID/command byte first
//	func (*T) Decode(p []byte, f Format) error   // decode, checks PID and length
//
// Requests (master→slave) are named after the command, responses carry the
// suffix Response. Reserved bytes are written as zero and ignored on decode.

// checkPacket verifies the first byte and the minimum length of p.
func checkPacket(what string, p []byte, pid byte, need int) error {
	if len(p) < need {
		return &FormatError{What: what, Need: need, Got: len(p)}
	}
	if p[0] != pid {
		return fmt.Errorf("xcp: %s: first byte 0x%02X, want 0x%02X: %w", what, p[0], pid, ErrMalformed)
	}
	return nil
}

// ConnectMode is the mode byte of CONNECT.
type ConnectMode uint8

// Connect modes.
const (
	ConnectNormal      ConnectMode = 0x00
	ConnectUserDefined ConnectMode = 0x01
)

// Connect is the CONNECT command.
type Connect struct {
	Mode ConnectMode
}

// Append encodes the command.
func (c Connect) Append(b []byte, _ Format) []byte {
	return append(b, byte(CmdConnect), byte(c.Mode))
}

// Decode decodes the command.
func (c *Connect) Decode(p []byte, _ Format) error {
	if err := checkPacket("CONNECT", p, byte(CmdConnect), 2); err != nil {
		return err
	}
	c.Mode = ConnectMode(p[1])
	return nil
}

// COMM_MODE_BASIC bits of the CONNECT response.
const (
	CommModeByteOrder      uint8 = 0x01 // 1 = Motorola
	CommModeAGMask         uint8 = 0x06 // address granularity bits
	CommModeSlaveBlockMode uint8 = 0x40
	CommModeOptional       uint8 = 0x80 // GET_COMM_MODE_INFO gives more
)

// ConnectResponse is the positive response to CONNECT. Its multi-byte
// fields are encoded in the byte order given by its own CommModeBasic, so
// Append and Decode ignore the Format's order.
type ConnectResponse struct {
	Resource         Resource // resources the slave supports
	CommModeBasic    uint8    // byte order, AG, slave block mode, optional info
	MaxCTO           uint8
	MaxDTO           uint16
	ProtocolVersion  uint8 // XCP protocol layer version, most significant byte
	TransportVersion uint8 // transport layer version, most significant byte
}

// Order returns the byte order the slave announced.
func (r ConnectResponse) Order() ByteOrder { return ByteOrder(r.CommModeBasic & CommModeByteOrder) }

// Granularity returns the address granularity the slave announced.
func (r ConnectResponse) Granularity() (Granularity, error) {
	return GranularityFromBits((r.CommModeBasic & CommModeAGMask) >> 1)
}

// SlaveBlockMode reports whether the slave supports slave block mode.
func (r ConnectResponse) SlaveBlockMode() bool { return r.CommModeBasic&CommModeSlaveBlockMode != 0 }

// Format returns the session format implied by the response.
func (r ConnectResponse) Format() (Format, error) {
	ag, err := r.Granularity()
	if err != nil {
		return Format{}, err
	}
	return Format{Order: r.Order(), AG: ag, MaxCTO: int(r.MaxCTO), MaxDTO: int(r.MaxDTO)}, nil
}

// Append encodes the response.
func (r ConnectResponse) Append(b []byte, _ Format) []byte {
	b = append(b, PIDRes, byte(r.Resource), r.CommModeBasic, r.MaxCTO)
	b = r.Order().AppendUint16(b, r.MaxDTO)
	return append(b, r.ProtocolVersion, r.TransportVersion)
}

// Decode decodes the response and checks MAX_CTO and MAX_DTO against the
// minimum of 8 the standard requires.
func (r *ConnectResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("CONNECT response", p, PIDRes, 8); err != nil {
		return err
	}
	r.Resource = Resource(p[1])
	r.CommModeBasic = p[2]
	r.MaxCTO = p[3]
	r.MaxDTO = r.Order().Uint16(p[4:])
	r.ProtocolVersion = p[6]
	r.TransportVersion = p[7]
	if r.MaxCTO < 8 {
		return fmt.Errorf("xcp: CONNECT response: MAX_CTO %d is below the minimum 8: %w", r.MaxCTO, ErrMalformed)
	}
	if r.MaxDTO < 8 {
		return fmt.Errorf("xcp: CONNECT response: MAX_DTO %d is below the minimum 8: %w", r.MaxDTO, ErrMalformed)
	}
	if _, err := r.Granularity(); err != nil {
		return fmt.Errorf("xcp: CONNECT response: %w", err)
	}
	return nil
}

// SetMTA is the SET_MTA command: it sets the memory transfer address.
type SetMTA struct {
	Addr uint32
	Ext  uint8
}

// Append encodes the command.
func (c SetMTA) Append(b []byte, f Format) []byte {
	b = append(b, byte(CmdSetMTA), 0, 0, c.Ext)
	return f.Order.AppendUint32(b, c.Addr)
}

// Decode decodes the command.
func (c *SetMTA) Decode(p []byte, f Format) error {
	if err := checkPacket("SET_MTA", p, byte(CmdSetMTA), 8); err != nil {
		return err
	}
	c.Ext = p[3]
	c.Addr = f.Order.Uint32(p[4:])
	return nil
}

// GetSeed is the GET_SEED command. Mode 0 asks for the first part of the
// seed for Resource; mode 1 asks for the remaining part (Resource is then
// ignored by the slave).
type GetSeed struct {
	Mode     uint8
	Resource Resource
}

// Append encodes the command.
func (c GetSeed) Append(b []byte, _ Format) []byte {
	return append(b, byte(CmdGetSeed), c.Mode, byte(c.Resource))
}

// Decode decodes the command.
func (c *GetSeed) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_SEED", p, byte(CmdGetSeed), 3); err != nil {
		return err
	}
	c.Mode, c.Resource = p[1], Resource(p[2])
	if c.Mode > 1 {
		return fmt.Errorf("xcp: GET_SEED: mode %d is not 0 or 1: %w", c.Mode, ErrMalformed)
	}
	return nil
}

// GetSeedResponse is the response to GET_SEED: Remaining is the number of
// seed bytes not yet transferred (including this part); Seed is this part.
// Remaining 0 means the resource is unprotected.
type GetSeedResponse struct {
	Remaining uint8
	Seed      []byte
}

// Append encodes the response.
func (r GetSeedResponse) Append(b []byte, _ Format) []byte {
	b = append(b, PIDRes, r.Remaining)
	return append(b, r.Seed...)
}

// Decode decodes the response; Seed aliases p.
func (r *GetSeedResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("GET_SEED response", p, PIDRes, 2); err != nil {
		return err
	}
	r.Remaining = p[1]
	part := p[2:]
	if int(r.Remaining) < len(part) {
		part = part[:r.Remaining]
	}
	r.Seed = part
	return nil
}

// Unlock is the UNLOCK command: Remaining is the number of key bytes not yet
// transferred (including this part); Key is this part.
type Unlock struct {
	Remaining uint8
	Key       []byte
}

// Append encodes the command.
func (c Unlock) Append(b []byte, _ Format) []byte {
	b = append(b, byte(CmdUnlock), c.Remaining)
	return append(b, c.Key...)
}

// Decode decodes the command; Key aliases p.
func (c *Unlock) Decode(p []byte, _ Format) error {
	if err := checkPacket("UNLOCK", p, byte(CmdUnlock), 2); err != nil {
		return err
	}
	c.Remaining = p[1]
	part := p[2:]
	if int(c.Remaining) < len(part) {
		part = part[:c.Remaining]
	}
	c.Key = part
	return nil
}

// UnlockResponse is the response to UNLOCK: the resources still protected.
type UnlockResponse struct {
	Protection Resource
}

// Append encodes the response.
func (r UnlockResponse) Append(b []byte, _ Format) []byte {
	return append(b, PIDRes, byte(r.Protection))
}

// Decode decodes the response.
func (r *UnlockResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("UNLOCK response", p, PIDRes, 2); err != nil {
		return err
	}
	r.Protection = Resource(p[1])
	return nil
}
