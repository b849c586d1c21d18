package swdbg

import (
	"github.com/goxcp/goxcp/protocol/xcp"
)

// TRI is a Target Resource Identifier (appendix C): it selects the core,
// bus or access unit a memory command goes through. Its meaning depends on
// the target family; see the TRI* constants.
type TRI uint8

// ReadModifyWrite is DBG_READ_MODIFY_WRITE (table 40):
// *Addr = (*Addr &^ Mask) | (Data & Mask), atomically.
type ReadModifyWrite struct {
	TRI        TRI
	EW         ElementWidth
	Addr       uint64
	Mask, Data uint64
}

// Append encodes the command.
func (c ReadModifyWrite) Append(b []byte, f xcp.Format) []byte {
	b = append(appendHeader(b, CmdReadModifyWrite), 0, byte(c.TRI), byte(c.EW), 0, 0)
	b = f.Order.AppendUint64(b, c.Addr)
	b = appendElement(b, f.Order, c.EW, c.Mask)
	return appendElement(b, f.Order, c.EW, c.Data)
}

// Decode decodes the command.
func (c *ReadModifyWrite) Decode(p []byte, f xcp.Format) error {
	if err := checkCmd(p, CmdReadModifyWrite, 16); err != nil {
		return err
	}
	c.TRI, c.EW = TRI(p[4]), ElementWidth(p[5])
	if err := c.EW.check("DBG_READ_MODIFY_WRITE", false); err != nil {
		return err
	}
	need := 16 + 2*int(c.EW)
	if len(p) < need {
		return &xcp.FormatError{What: "DBG_READ_MODIFY_WRITE", Need: need, Got: len(p)}
	}
	c.Addr = f.Order.Uint64(p[8:])
	c.Mask = Element(p[16:], f.Order, c.EW)
	c.Data = Element(p[16+int(c.EW):], f.Order, c.EW)
	return nil
}

// ReadModifyWriteResponse is the DBG_READ_MODIFY_WRITE response (table
// 42). EW must be set before Decode (it is the request's).
type ReadModifyWriteResponse struct {
	EW    ElementWidth
	Value uint64 // final register value
}

// Append encodes the response.
func (r ReadModifyWriteResponse) Append(b []byte, f xcp.Format) []byte {
	b = append(b, xcp.PIDRes)
	b = append(b, make([]byte, int(r.EW)-1)...)
	return appendElement(b, f.Order, r.EW, r.Value)
}

// Decode decodes the response.
func (r *ReadModifyWriteResponse) Decode(p []byte, f xcp.Format) error {
	if err := r.EW.check("DBG_READ_MODIFY_WRITE response", false); err != nil {
		return err
	}
	if err := checkRes(p, "DBG_READ_MODIFY_WRITE response", 2*int(r.EW)); err != nil {
		return err
	}
	r.Value = Element(p[r.EW:], f.Order, r.EW)
	return nil
}

// Write is DBG_WRITE (table 43). N is the total number of elements of the
// transfer; Data holds the elements carried by this packet (all N in
// standard mode, the first (MAX_CTO_DBG-16)/EW in master block mode).
type Write struct {
	TRI  TRI
	EW   ElementWidth
	N    uint16
	Addr uint64
	Data []byte
}

// Append encodes the command.
func (c Write) Append(b []byte, f xcp.Format) []byte {
	b = append(appendHeader(b, CmdWrite), 0, byte(c.TRI), byte(c.EW))
	b = f.Order.AppendUint16(b, c.N)
	b = f.Order.AppendUint64(b, c.Addr)
	return append(b, c.Data...)
}

// Decode decodes the command. Data holds the whole elements present in p,
// at most N of them; it aliases p.
func (c *Write) Decode(p []byte, f xcp.Format) error {
	if err := checkCmd(p, CmdWrite, 16); err != nil {
		return err
	}
	c.TRI, c.EW = TRI(p[4]), ElementWidth(p[5])
	c.N = f.Order.Uint16(p[6:])
	c.Addr = f.Order.Uint64(p[8:])
	if err := c.EW.check("DBG_WRITE", false); err != nil {
		return err
	}
	c.Data = wholeElements(p[16:], int(c.N), c.EW)
	return nil
}

// wholeElements trims d to complete elements of width w, at most n.
func wholeElements(d []byte, n int, w ElementWidth) []byte {
	k := min(len(d)/int(w), n)
	return d[:k*int(w)]
}

// WriteNext is DBG_WRITE_NEXT (table 44). Remaining counts the elements
// still to transfer including this packet's. EW must be set before Decode
// (it is the DBG_WRITE's).
type WriteNext struct {
	EW        ElementWidth
	Remaining uint16
	Data      []byte
}

// Append encodes the command.
func (c WriteNext) Append(b []byte, f xcp.Format) []byte {
	b = f.Order.AppendUint16(append(appendHeader(b, CmdWriteNext), 0), c.Remaining)
	return append(f.Order.AppendUint16(b, 0), c.Data...)
}

// Decode decodes the command; Data aliases p.
func (c *WriteNext) Decode(p []byte, f xcp.Format) error {
	if err := checkCmd(p, CmdWriteNext, 8); err != nil {
		return err
	}
	if err := c.EW.check("DBG_WRITE_NEXT", false); err != nil {
		return err
	}
	c.Remaining = f.Order.Uint16(p[4:])
	c.Data = wholeElements(p[8:], int(c.Remaining), c.EW)
	return nil
}

// WriteCAN1 is DBG_WRITE_CAN1 (table 46).
type WriteCAN1 struct {
	TRI  TRI
	Addr uint32
}

// Append encodes the command.
func (c WriteCAN1) Append(b []byte, f xcp.Format) []byte {
	return f.Order.AppendUint32(append(appendHeader(b, CmdWriteCAN1), byte(c.TRI)), c.Addr)
}

// Decode decodes the command.
func (c *WriteCAN1) Decode(p []byte, f xcp.Format) error {
	if err := checkCmd(p, CmdWriteCAN1, 8); err != nil {
		return err
	}
	c.TRI, c.Addr = TRI(p[3]), f.Order.Uint32(p[4:])
	return nil
}

// WriteCAN2 is DBG_WRITE_CAN2 (table 47).
type WriteCAN2 struct {
	EW ElementWidth
	N  uint8
}

// Append encodes the command.
func (c WriteCAN2) Append(b []byte, _ xcp.Format) []byte {
	return append(appendHeader(b, CmdWriteCAN2), byte(c.EW), c.N)
}

// Decode decodes the command; DLONG is not allowed (table 48).
func (c *WriteCAN2) Decode(p []byte, _ xcp.Format) error {
	if err := checkCmd(p, CmdWriteCAN2, 5); err != nil {
		return err
	}
	c.EW, c.N = ElementWidth(p[3]), p[4]
	return c.EW.check("DBG_WRITE_CAN2", true)
}

// WriteCANNext is DBG_WRITE_CAN_NEXT (table 50). EW must be set before
// Decode (it is the DBG_WRITE_CAN2's).
type WriteCANNext struct {
	EW        ElementWidth
	Remaining uint8
	Data      []byte
}

// Append encodes the command.
func (c WriteCANNext) Append(b []byte, _ xcp.Format) []byte {
	return append(append(appendHeader(b, CmdWriteCANNext), c.Remaining), c.Data...)
}

// Decode decodes the command; Data aliases p.
func (c *WriteCANNext) Decode(p []byte, _ xcp.Format) error {
	if err := checkCmd(p, CmdWriteCANNext, 4); err != nil {
		return err
	}
	if err := c.EW.check("DBG_WRITE_CAN_NEXT", true); err != nil {
		return err
	}
	c.Remaining = p[3]
	c.Data = wholeElements(p[4:], int(c.Remaining), c.EW)
	return nil
}

// Read is DBG_READ (table 51).
type Read struct {
	TRI  TRI
	EW   ElementWidth
	N    uint16
	Addr uint64
}

// Append encodes the command.
func (c Read) Append(b []byte, f xcp.Format) []byte {
	b = append(appendHeader(b, CmdRead), 0, byte(c.TRI), byte(c.EW))
	return f.Order.AppendUint64(f.Order.AppendUint16(b, c.N), c.Addr)
}

// Decode decodes the command.
func (c *Read) Decode(p []byte, f xcp.Format) error {
	if err := checkCmd(p, CmdRead, 16); err != nil {
		return err
	}
	c.TRI, c.EW = TRI(p[4]), ElementWidth(p[5])
	c.N, c.Addr = f.Order.Uint16(p[6:]), f.Order.Uint64(p[8:])
	return c.EW.check("DBG_READ", false)
}

// ReadResponse is one response packet of DBG_READ or DBG_READ_CAN2 (table
// 52): EW-1 alignment bytes, then the elements. EW must be set before
// Decode; N, if not zero, is the number of elements this packet must carry
// (padding beyond it is ignored). Data aliases the packet.
type ReadResponse struct {
	EW   ElementWidth
	N    int
	Data []byte
}

// Append encodes the response.
func (r ReadResponse) Append(b []byte, _ xcp.Format) []byte {
	b = append(b, xcp.PIDRes)
	b = append(b, make([]byte, max(0, int(r.EW)-1))...)
	return append(b, r.Data...)
}

// Decode decodes the response.
func (r *ReadResponse) Decode(p []byte, _ xcp.Format) error {
	if err := r.EW.check("DBG_READ response", false); err != nil {
		return err
	}
	need := int(r.EW) + r.N*int(r.EW)
	if err := checkRes(p, "DBG_READ response", need); err != nil {
		return err
	}
	d := p[r.EW:]
	if r.N > 0 {
		d = d[:r.N*int(r.EW)]
	} else {
		d = d[:len(d)/int(r.EW)*int(r.EW)]
	}
	r.Data = d
	return nil
}

// ReadCAN1 is DBG_READ_CAN1 (table 53).
type ReadCAN1 struct {
	TRI  TRI
	Addr uint32
}

// Append encodes the command.
func (c ReadCAN1) Append(b []byte, f xcp.Format) []byte {
	return f.Order.AppendUint32(append(appendHeader(b, CmdReadCAN1), byte(c.TRI)), c.Addr)
}

// Decode decodes the command.
func (c *ReadCAN1) Decode(p []byte, f xcp.Format) error {
	if err := checkCmd(p, CmdReadCAN1, 8); err != nil {
		return err
	}
	c.TRI, c.Addr = TRI(p[3]), f.Order.Uint32(p[4:])
	return nil
}

// ReadCAN2 is DBG_READ_CAN2 (table 54).
type ReadCAN2 struct {
	EW ElementWidth
	N  uint8
}

// Append encodes the command.
func (c ReadCAN2) Append(b []byte, _ xcp.Format) []byte {
	return append(appendHeader(b, CmdReadCAN2), byte(c.EW), c.N)
}

// Decode decodes the command; DLONG is not allowed.
func (c *ReadCAN2) Decode(p []byte, _ xcp.Format) error {
	if err := checkCmd(p, CmdReadCAN2, 5); err != nil {
		return err
	}
	c.EW, c.N = ElementWidth(p[3]), p[4]
	return c.EW.check("DBG_READ_CAN2", true)
}
