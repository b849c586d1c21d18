package swdbg

import (
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// LLTSingleLane is the DAP LLT mode bit "target replies on DAP1 only"
// (tables 88, 89).
const LLTSingleLane uint8 = 0x01

// Telegram is one Low Level Telegram of DBG_LLT (table 36).
type Telegram struct {
	RespBits uint8  // expected response length in bits
	Cmd      uint8  // DAP command
	Bits     uint8  // data length in bits
	Data     []byte // ⌈Bits/8⌉ bytes, LSBit first (shorter is zero padded)
}

// NewTelegram builds a telegram carrying the low bits bits of v.
func NewTelegram(cmd, bits uint8, v uint64, respBits uint8) Telegram {
	return Telegram{RespBits: respBits, Cmd: cmd, Bits: bits, Data: BitsOf(int(bits), v).V}
}

func (t Telegram) dataLen() int { return (int(t.Bits) + 7) / 8 }

// LLT is DBG_LLT (table 36).
type LLT struct {
	Mode      uint8
	Telegrams []Telegram
}

// Len returns the encoded length.
func (c LLT) Len() int {
	n := 5
	for _, t := range c.Telegrams {
		n += 3 + t.dataLen()
	}
	return n
}

// ResponseLen returns the length of the positive response the command
// expects: 2 + Σ(1 + ⌈ERL/8⌉).
func (c LLT) ResponseLen() int {
	n := 2
	for _, t := range c.Telegrams {
		n += 1 + (int(t.RespBits)+7)/8
	}
	return n
}

// Append encodes the command.
func (c LLT) Append(b []byte, _ xcp.Format) []byte {
	b = append(appendHeader(b, CmdLLT), uint8(len(c.Telegrams)), c.Mode)
	for _, t := range c.Telegrams {
		b = append(b, t.RespBits, t.Cmd, t.Bits)
		n := t.dataLen()
		d := t.Data[:min(n, len(t.Data))]
		b = append(b, d...)
		b = append(b, make([]byte, n-len(d))...)
	}
	return b
}

// Decode decodes the command; telegram data aliases p.
func (c *LLT) Decode(p []byte, _ xcp.Format) error {
	if err := checkCmd(p, CmdLLT, 5); err != nil {
		return err
	}
	n := int(p[3])
	c.Mode = p[4]
	c.Telegrams = make([]Telegram, 0, n)
	off := 5
	for i := range n {
		if len(p) < off+3 {
			return &xcp.FormatError{What: fmt.Sprintf("DBG_LLT telegram %d", i+1), Need: off + 3, Got: len(p)}
		}
		t := Telegram{RespBits: p[off], Cmd: p[off+1], Bits: p[off+2]}
		off += 3
		if len(p) < off+t.dataLen() {
			return &xcp.FormatError{What: fmt.Sprintf("DBG_LLT telegram %d data", i+1), Need: off + t.dataLen(), Got: len(p)}
		}
		t.Data = p[off : off+t.dataLen()]
		off += t.dataLen()
		c.Telegrams = append(c.Telegrams, t)
	}
	return nil
}

// TelegramResponse is the answer to one telegram (table 37).
type TelegramResponse struct {
	Bits uint8  // expected response length in bits (ERL)
	Data []byte // ⌈Bits/8⌉ bytes, LSBit first
}

// Value returns up to 64 response bits as a number.
func (r TelegramResponse) Value() uint64 { return Bits{N: int(r.Bits), V: r.Data}.Uint64() }

// LLTResponse is the DBG_LLT positive response (table 37).
type LLTResponse struct{ Telegrams []TelegramResponse }

// Append encodes the response.
func (r LLTResponse) Append(b []byte, _ xcp.Format) []byte {
	b = append(b, xcp.PIDRes, uint8(len(r.Telegrams)))
	for _, t := range r.Telegrams {
		n := (int(t.Bits) + 7) / 8
		d := t.Data[:min(n, len(t.Data))]
		b = append(append(b, t.Bits), d...)
		b = append(b, make([]byte, n-len(d))...)
	}
	return b
}

// Decode decodes the response; data aliases p.
func (r *LLTResponse) Decode(p []byte, _ xcp.Format) error {
	if err := checkRes(p, "DBG_LLT response", 2); err != nil {
		return err
	}
	n := int(p[1])
	r.Telegrams = make([]TelegramResponse, 0, n)
	off := 2
	for i := range n {
		if len(p) < off+1 {
			return &xcp.FormatError{What: fmt.Sprintf("DBG_LLT response telegram %d", i+1), Need: off + 1, Got: len(p)}
		}
		t := TelegramResponse{Bits: p[off]}
		off++
		l := (int(t.Bits) + 7) / 8
		if len(p) < off+l {
			return &xcp.FormatError{What: fmt.Sprintf("DBG_LLT response telegram %d data", i+1), Need: off + l, Got: len(p)}
		}
		t.Data = p[off : off+l]
		off += l
		r.Telegrams = append(r.Telegrams, t)
	}
	return nil
}
