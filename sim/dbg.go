package sim

import "goxcp/xcp"

// dbgCommand answers SW-DBG commands (0xC0 0xFC ...). (Owned by the SW-DBG
// work; replaced there.)
func (ss *session) dbgCommand(req []byte) []byte {
	return errPacket(xcp.ErrCmdUnknown)
}
