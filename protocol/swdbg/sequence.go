package swdbg

import (
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// SequenceMultiple mode bits (table 33).
const (
	SeqBusInit    uint8 = 0x01 // request the JTAG bus at the start
	SeqBusRelease uint8 = 0x02 // release the JTAG bus at the end
	SeqTMSInit    uint8 = 0x04 // TMS level when the bus is requested
	SeqTDIInit    uint8 = 0x08 // TDI level when the bus is requested
	seqModeMask   uint8 = 0x0F
)

// SequenceMultiple is DBG_SEQUENCE_MULTIPLE (table 32). Each sequence is
// the encoded JPL commands (see EncodeJPL and ParseJPL); odd-length
// sequences are followed by one padding byte on the wire.
type SequenceMultiple struct {
	Mode      uint8
	Sequences [][]byte
}

// Len returns the encoded length of the command.
func (c SequenceMultiple) Len() int {
	n := 6
	for _, s := range c.Sequences {
		n += 2 + len(s) + len(s)&1
	}
	return n
}

// Append encodes the command.
func (c SequenceMultiple) Append(b []byte, f xcp.Format) []byte {
	b = f.Order.AppendUint16(append(appendHeader(b, CmdSequenceMultiple), c.Mode), uint16(len(c.Sequences)))
	for _, s := range c.Sequences {
		b = append(f.Order.AppendUint16(b, uint16(len(s))), s...)
		if len(s)&1 == 1 {
			b = append(b, 0)
		}
	}
	return b
}

// Decode decodes the command; the sequences alias p. Reserved mode bits
// are not a decoding error (the slave answers ERR_OUT_OF_RANGE).
func (c *SequenceMultiple) Decode(p []byte, f xcp.Format) error {
	if err := checkCmd(p, CmdSequenceMultiple, 6); err != nil {
		return err
	}
	c.Mode = p[3]
	n := int(f.Order.Uint16(p[4:]))
	c.Sequences = make([][]byte, 0, min(n, len(p)/2))
	off := 6
	for i := range n {
		if len(p) < off+2 {
			return &xcp.FormatError{What: fmt.Sprintf("DBG_SEQUENCE_MULTIPLE sequence %d header", i), Need: off + 2, Got: len(p)}
		}
		l := int(f.Order.Uint16(p[off:]))
		off += 2
		if len(p) < off+l {
			return &xcp.FormatError{What: fmt.Sprintf("DBG_SEQUENCE_MULTIPLE sequence %d (%d bytes)", i, l), Need: off + l, Got: len(p)}
		}
		c.Sequences = append(c.Sequences, p[off:off+l])
		off += l + l&1
	}
	return nil
}

// SeqStatus is the execution status of one JPL sequence (tables 34, 35).
type SeqStatus uint8

// Execution statuses.
const (
	SeqOK             SeqStatus = 0x00
	SeqBadDialect     SeqStatus = 0x01 // incompatible dialect, not executed
	SeqSyntax         SeqStatus = 0x02 // JPL syntax error, aborted
	SeqRepeatExceeded SeqStatus = 0x03 // repeat count exceeded, executed to the end
	SeqInterfaceError SeqStatus = 0x04 // low level target interface error, aborted
)

func (s SeqStatus) String() string {
	switch s {
	case SeqOK:
		return "executed successfully"
	case SeqBadDialect:
		return "incompatible dialect"
	case SeqSyntax:
		return "syntax error in JPL sequence"
	case SeqRepeatExceeded:
		return "JPL repeat count exceeded"
	case SeqInterfaceError:
		return "low level target interface error"
	}
	return fmt.Sprintf("SeqStatus(0x%02X)", uint8(s))
}

// SeqResult is the result of one JPL sequence: its status, the repeat
// count after the last JPL data command and the last 32 TDO bits.
type SeqResult struct {
	Status SeqStatus
	Repeat uint8
	TDO    uint32
}

func appendResults(b []byte, f xcp.Format, rs []SeqResult) []byte {
	b = f.Order.AppendUint16(b, uint16(len(rs)))
	for _, r := range rs {
		// TDO is sent as four BYTE fields, bits 24..31 first.
		b = append(b, byte(r.Status), r.Repeat, byte(r.TDO>>24), byte(r.TDO>>16), byte(r.TDO>>8), byte(r.TDO))
	}
	return b
}

// decodeResults decodes "WORD count, count × 6 bytes" at p; base is the
// packet offset of p, for error messages.
func decodeResults(what string, p []byte, f xcp.Format, base int) ([]SeqResult, error) {
	if len(p) < 2 {
		return nil, &xcp.FormatError{What: what, Need: base + 2, Got: base + len(p)}
	}
	n := int(f.Order.Uint16(p))
	if len(p) < 2+6*n {
		return nil, &xcp.FormatError{What: what, Need: base + 2 + 6*n, Got: base + len(p)}
	}
	rs := make([]SeqResult, n)
	for i := range rs {
		q := p[2+6*i:]
		rs[i] = SeqResult{Status: SeqStatus(q[0]), Repeat: q[1],
			TDO: uint32(q[2])<<24 | uint32(q[3])<<16 | uint32(q[4])<<8 | uint32(q[5])}
	}
	return rs, nil
}

// SequenceMultipleResponse is the DBG_SEQUENCE_MULTIPLE response (table 34).
type SequenceMultipleResponse struct{ Results []SeqResult }

// Append encodes the response.
func (r SequenceMultipleResponse) Append(b []byte, f xcp.Format) []byte {
	return appendResults(append(b, xcp.PIDRes, 0), f, r.Results)
}

// Decode decodes the response.
func (r *SequenceMultipleResponse) Decode(p []byte, f xcp.Format) error {
	if err := checkRes(p, "DBG_SEQUENCE_MULTIPLE response", 4); err != nil {
		return err
	}
	rs, err := decodeResults("DBG_SEQUENCE_MULTIPLE response", p[2:], f, 2)
	if err != nil {
		return err
	}
	r.Results = rs
	return nil
}
