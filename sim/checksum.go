package sim

import "goxcp/xcp"

// buildChecksum answers BUILD_CHECKSUM.
// TODO(sim): compute with goxcp/xcp/checksum once it is on main.
func (ss *session) buildChecksum(req []byte) []byte {
	return errPacket(xcp.ErrCmdUnknown)
}
