package dbgtarget

import (
	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// The simulated Infineon DAP answers Low Level Telegrams (appendix B) as a
// bank of shift registers, one per DAP command code: a telegram shifts its
// LEN data bits into the register of its CMD and returns the register's
// previous content, as many bits as the expected response length asks.

func (t *Target) llt(_ *Session, req []byte) []byte {
	if !t.cfg.DAP {
		return errPacket(xcp.ErrCmdUnknown)
	}
	var c swdbg.LLT
	if err := c.Decode(req, t.f); err != nil || c.Mode&^swdbg.LLTSingleLane != 0 {
		return errPacket(xcp.ErrCmdSyntax)
	}
	for _, tel := range c.Telegrams {
		// Unused bits of the last data byte must be zero (appendix B).
		if r := tel.Bits % 8; r != 0 && tel.Data[len(tel.Data)-1]>>r != 0 {
			return errPacket(xcp.ErrCmdSyntax)
		}
	}
	if c.ResponseLen() > t.cfg.MaxCTODbg {
		return errPacket(xcp.ErrOutOfRange)
	}
	if e := t.targetAccess(); e != nil {
		return e
	}
	var resp swdbg.LLTResponse
	for i, tel := range c.Telegrams {
		if i == len(c.Telegrams)-1 {
			if t.takeFault(swdbg.CmdLLT, FaultLLTTimeout) {
				return dbgErr(swdbg.ErrLLT, byte(i+1), swdbg.LLTReasonTimeout)
			}
			if t.takeFault(swdbg.CmdLLT, FaultLLTCRC) {
				return dbgErr(swdbg.ErrLLT, byte(i+1), swdbg.LLTReasonCRC)
			}
		}
		reg := t.dap[tel.Cmd]
		out := reg.Slice(0, int(tel.RespBits))
		if tel.Bits > 0 {
			t.dap[tel.Cmd] = swdbg.Bits{N: int(tel.Bits), V: append([]byte(nil), tel.Data...)}
		}
		resp.Telegrams = append(resp.Telegrams, swdbg.TelegramResponse{Bits: tel.RespBits, Data: out.V})
	}
	return resp.Append(nil, t.f)
}
