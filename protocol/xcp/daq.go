package xcp

import "fmt"

// DAQ command packets (XCP 1.5 part 2, "data acquisition and stimulation
// commands"). DAQ list numbers and event channel numbers are WORDs in the
// slave's byte order; addresses are DWORDs.

// ClearDaqList is CLEAR_DAQ_LIST: it empties a static or predefined list.
type ClearDaqList struct{ List uint16 }

// Append encodes the command.
func (c ClearDaqList) Append(b []byte, f Format) []byte {
	return f.Order.AppendUint16(append(b, byte(CmdClearDaqList), 0), c.List)
}

// Decode decodes the command.
func (c *ClearDaqList) Decode(p []byte, f Format) error {
	if err := checkPacket("CLEAR_DAQ_LIST", p, byte(CmdClearDaqList), 4); err != nil {
		return err
	}
	c.List = f.Order.Uint16(p[2:])
	return nil
}

// SetDaqPtr is SET_DAQ_PTR: it points the slave at one ODT entry.
type SetDaqPtr struct {
	List  uint16
	ODT   uint8
	Entry uint8
}

// Append encodes the command.
func (c SetDaqPtr) Append(b []byte, f Format) []byte {
	b = f.Order.AppendUint16(append(b, byte(CmdSetDaqPtr), 0), c.List)
	return append(b, c.ODT, c.Entry)
}

// Decode decodes the command.
func (c *SetDaqPtr) Decode(p []byte, f Format) error {
	if err := checkPacket("SET_DAQ_PTR", p, byte(CmdSetDaqPtr), 6); err != nil {
		return err
	}
	c.List, c.ODT, c.Entry = f.Order.Uint16(p[2:]), p[4], p[5]
	return nil
}

// DaqElement is one ODT entry: what WRITE_DAQ writes and READ_DAQ reads.
// BitOffset 0xFF means the whole element; 0..31 selects one bit.
type DaqElement struct {
	BitOffset uint8
	Size      uint8 // in address granularity elements
	Ext       uint8
	Addr      uint32
}

// NoBitOffset is the BitOffset of an element that is not a single bit.
const NoBitOffset = 0xFF

// WriteDaq is WRITE_DAQ: it writes the ODT entry at the DAQ pointer and
// advances the pointer.
type WriteDaq struct{ DaqElement }

// Append encodes the command.
func (c WriteDaq) Append(b []byte, f Format) []byte {
	b = append(b, byte(CmdWriteDaq), c.BitOffset, c.Size, c.Ext)
	return f.Order.AppendUint32(b, c.Addr)
}

// Decode decodes the command.
func (c *WriteDaq) Decode(p []byte, f Format) error {
	if err := checkPacket("WRITE_DAQ", p, byte(CmdWriteDaq), 8); err != nil {
		return err
	}
	c.BitOffset, c.Size, c.Ext, c.Addr = p[1], p[2], p[3], f.Order.Uint32(p[4:])
	return nil
}

// WriteDaqMultiple is WRITE_DAQ_MULTIPLE: several consecutive ODT entries
// in one command, 8 bytes each.
type WriteDaqMultiple struct{ Elements []DaqElement }

// MaxWriteDaqMultiple returns how many elements fit into one command.
func (f Format) MaxWriteDaqMultiple() int { return min((f.CTO()-2)/8, 255) }

// Append encodes the command.
func (c WriteDaqMultiple) Append(b []byte, f Format) []byte {
	b = append(b, byte(CmdWriteDaqMultiple), uint8(len(c.Elements)))
	for _, e := range c.Elements {
		b = append(b, e.BitOffset, e.Size)
		b = f.Order.AppendUint32(b, e.Addr)
		b = append(b, e.Ext, 0)
	}
	return b
}

// Decode decodes the command; Elements is newly allocated.
func (c *WriteDaqMultiple) Decode(p []byte, f Format) error {
	if err := checkPacket("WRITE_DAQ_MULTIPLE", p, byte(CmdWriteDaqMultiple), 2); err != nil {
		return err
	}
	n := int(p[1])
	if need := 2 + 8*n; len(p) < need {
		return &FormatError{What: fmt.Sprintf("WRITE_DAQ_MULTIPLE with %d elements", n), Need: need, Got: len(p)}
	}
	c.Elements = make([]DaqElement, n)
	for i := range c.Elements {
		q := p[2+8*i:]
		c.Elements[i] = DaqElement{BitOffset: q[0], Size: q[1], Addr: f.Order.Uint32(q[2:]), Ext: q[6]}
	}
	return nil
}

// DaqListMode bits of SET_DAQ_LIST_MODE and GET_DAQ_LIST_MODE.
type DaqListMode uint8

// DAQ list mode bits. Selected, Running and Resume only appear in
// GET_DAQ_LIST_MODE responses.
const (
	ModeAlternating DaqListMode = 0x01 // SET: alternating display mode
	ModeSelected    DaqListMode = 0x01 // GET: list is selected for START_STOP_SYNCH
	ModeDirection   DaqListMode = 0x02 // 1 = STIM
	ModeDTOCtr      DaqListMode = 0x08 // DTO counter field in every DTO
	ModeTimestamp   DaqListMode = 0x10 // timestamp in the first ODT
	ModePIDOff      DaqListMode = 0x20 // no identification field
	ModeRunning     DaqListMode = 0x40 // GET: list is running
	ModeResume      DaqListMode = 0x80 // GET: list is in resume mode
)

// SetDaqListMode is SET_DAQ_LIST_MODE.
type SetDaqListMode struct {
	Mode      DaqListMode
	List      uint16
	Event     uint16
	Prescaler uint8
	Priority  uint8
}

// Append encodes the command.
func (c SetDaqListMode) Append(b []byte, f Format) []byte {
	b = f.Order.AppendUint16(append(b, byte(CmdSetDaqListMode), byte(c.Mode)), c.List)
	b = f.Order.AppendUint16(b, c.Event)
	return append(b, c.Prescaler, c.Priority)
}

// Decode decodes the command.
func (c *SetDaqListMode) Decode(p []byte, f Format) error {
	if err := checkPacket("SET_DAQ_LIST_MODE", p, byte(CmdSetDaqListMode), 8); err != nil {
		return err
	}
	c.Mode, c.List, c.Event = DaqListMode(p[1]), f.Order.Uint16(p[2:]), f.Order.Uint16(p[4:])
	c.Prescaler, c.Priority = p[6], p[7]
	return nil
}

// GetDaqListMode is GET_DAQ_LIST_MODE.
type GetDaqListMode struct{ List uint16 }

// Append encodes the command.
func (c GetDaqListMode) Append(b []byte, f Format) []byte {
	return f.Order.AppendUint16(append(b, byte(CmdGetDaqListMode), 0), c.List)
}

// Decode decodes the command.
func (c *GetDaqListMode) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_DAQ_LIST_MODE", p, byte(CmdGetDaqListMode), 4); err != nil {
		return err
	}
	c.List = f.Order.Uint16(p[2:])
	return nil
}

// GetDaqListModeResponse is the response to GET_DAQ_LIST_MODE.
type GetDaqListModeResponse struct {
	Mode      DaqListMode
	Event     uint16
	Prescaler uint8
	Priority  uint8
}

// Append encodes the response.
func (r GetDaqListModeResponse) Append(b []byte, f Format) []byte {
	b = f.Order.AppendUint16(append(b, PIDRes, byte(r.Mode), 0, 0), r.Event)
	return append(b, r.Prescaler, r.Priority)
}

// Decode decodes the response.
func (r *GetDaqListModeResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("GET_DAQ_LIST_MODE response", p, PIDRes, 8); err != nil {
		return err
	}
	r.Mode, r.Event, r.Prescaler, r.Priority = DaqListMode(p[1]), f.Order.Uint16(p[4:]), p[6], p[7]
	return nil
}

// StartStopMode is the mode of START_STOP_DAQ_LIST.
type StartStopMode uint8

// START_STOP_DAQ_LIST modes.
const (
	DaqListStop   StartStopMode = 0
	DaqListStart  StartStopMode = 1
	DaqListSelect StartStopMode = 2
)

// StartStopDaqList is START_STOP_DAQ_LIST.
type StartStopDaqList struct {
	Mode StartStopMode
	List uint16
}

// Append encodes the command.
func (c StartStopDaqList) Append(b []byte, f Format) []byte {
	return f.Order.AppendUint16(append(b, byte(CmdStartStopDaqList), byte(c.Mode)), c.List)
}

// Decode decodes the command.
func (c *StartStopDaqList) Decode(p []byte, f Format) error {
	if err := checkPacket("START_STOP_DAQ_LIST", p, byte(CmdStartStopDaqList), 4); err != nil {
		return err
	}
	c.Mode, c.List = StartStopMode(p[1]), f.Order.Uint16(p[2:])
	if c.Mode > DaqListSelect {
		return fmt.Errorf("xcp: START_STOP_DAQ_LIST: mode %d is not 0, 1 or 2: %w", c.Mode, ErrMalformed)
	}
	return nil
}

// StartStopDaqListResponse carries the first PID of the list's DTOs.
type StartStopDaqListResponse struct{ FirstPID uint8 }

// Append encodes the response.
func (r StartStopDaqListResponse) Append(b []byte, _ Format) []byte {
	return append(b, PIDRes, r.FirstPID)
}

// Decode decodes the response.
func (r *StartStopDaqListResponse) Decode(p []byte, _ Format) error {
	if err := checkPacket("START_STOP_DAQ_LIST response", p, PIDRes, 2); err != nil {
		return err
	}
	r.FirstPID = p[1]
	return nil
}

// SynchMode is the mode of START_STOP_SYNCH.
type SynchMode uint8

// START_STOP_SYNCH modes.
const (
	SynchStopAll        SynchMode = 0
	SynchStartSelected  SynchMode = 1
	SynchStopSelected   SynchMode = 2
	SynchPrepareStartSe SynchMode = 3 // prepare start selected (XCP 1.5)
)

// StartStopSynch is START_STOP_SYNCH.
type StartStopSynch struct{ Mode SynchMode }

// Append encodes the command.
func (c StartStopSynch) Append(b []byte, _ Format) []byte {
	return append(b, byte(CmdStartStopSynch), byte(c.Mode))
}

// Decode decodes the command.
func (c *StartStopSynch) Decode(p []byte, _ Format) error {
	if err := checkPacket("START_STOP_SYNCH", p, byte(CmdStartStopSynch), 2); err != nil {
		return err
	}
	c.Mode = SynchMode(p[1])
	if c.Mode > SynchPrepareStartSe {
		return fmt.Errorf("xcp: START_STOP_SYNCH: mode %d is unknown: %w", c.Mode, ErrMalformed)
	}
	return nil
}

// ReadDaqResponse is the response to READ_DAQ: the ODT entry at the DAQ
// pointer.
type ReadDaqResponse struct{ DaqElement }

// Append encodes the response.
func (r ReadDaqResponse) Append(b []byte, f Format) []byte {
	return f.Order.AppendUint32(append(b, PIDRes, r.BitOffset, r.Size, r.Ext), r.Addr)
}

// Decode decodes the response.
func (r *ReadDaqResponse) Decode(p []byte, f Format) error {
	if err := checkPacket("READ_DAQ response", p, PIDRes, 8); err != nil {
		return err
	}
	r.BitOffset, r.Size, r.Ext, r.Addr = p[1], p[2], p[3], f.Order.Uint32(p[4:])
	return nil
}

// FreeDaq is FREE_DAQ (command byte only; use []byte{byte(CmdFreeDaq)}).
// AllocDaq is ALLOC_DAQ.
type AllocDaq struct{ Count uint16 }

// Append encodes the command.
func (c AllocDaq) Append(b []byte, f Format) []byte {
	return f.Order.AppendUint16(append(b, byte(CmdAllocDaq), 0), c.Count)
}

// Decode decodes the command.
func (c *AllocDaq) Decode(p []byte, f Format) error {
	if err := checkPacket("ALLOC_DAQ", p, byte(CmdAllocDaq), 4); err != nil {
		return err
	}
	c.Count = f.Order.Uint16(p[2:])
	return nil
}

// AllocOdt is ALLOC_ODT.
type AllocOdt struct {
	List  uint16
	Count uint8
}

// Append encodes the command.
func (c AllocOdt) Append(b []byte, f Format) []byte {
	return append(f.Order.AppendUint16(append(b, byte(CmdAllocOdt), 0), c.List), c.Count)
}

// Decode decodes the command.
func (c *AllocOdt) Decode(p []byte, f Format) error {
	if err := checkPacket("ALLOC_ODT", p, byte(CmdAllocOdt), 5); err != nil {
		return err
	}
	c.List, c.Count = f.Order.Uint16(p[2:]), p[4]
	return nil
}

// AllocOdtEntry is ALLOC_ODT_ENTRY.
type AllocOdtEntry struct {
	List  uint16
	ODT   uint8
	Count uint8
}

// Append encodes the command.
func (c AllocOdtEntry) Append(b []byte, f Format) []byte {
	return append(f.Order.AppendUint16(append(b, byte(CmdAllocOdtEntry), 0), c.List), c.ODT, c.Count)
}

// Decode decodes the command.
func (c *AllocOdtEntry) Decode(p []byte, f Format) error {
	if err := checkPacket("ALLOC_ODT_ENTRY", p, byte(CmdAllocOdtEntry), 6); err != nil {
		return err
	}
	c.List, c.ODT, c.Count = f.Order.Uint16(p[2:]), p[4], p[5]
	return nil
}
