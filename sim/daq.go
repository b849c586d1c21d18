package sim

import "goxcp/xcp"

// daqCommand answers DAQ commands. (Owned by the DAQ work; replaced there.)
func (ss *session) daqCommand(req []byte) []byte {
	return errPacket(xcp.ErrCmdUnknown)
}
