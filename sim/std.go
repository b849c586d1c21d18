package sim

import "goxcp/xcp"

// stdCommand answers standard, CAL, PAG and PGM commands.
func (ss *session) stdCommand(req []byte) []byte {
	switch xcp.Command(req[0]) {
	case xcp.CmdConnect:
		var c xcp.Connect
		if err := c.Decode(req, xcp.Format{}); err != nil {
			return errPacket(xcp.ErrCmdSyntax)
		}
		cfg := ss.slave.cfg
		return xcp.ConnectResponse{
			Resource:         xcp.ResCalPag | xcp.ResDaq | xcp.ResStim | xcp.ResPgm | xcp.ResDbg,
			CommModeBasic:    byte(cfg.Order) | cfg.AG.Bits()<<1,
			MaxCTO:           uint8(cfg.MaxCTO),
			MaxDTO:           uint16(cfg.MaxDTO),
			ProtocolVersion:  1,
			TransportVersion: 1,
		}.Append(nil, xcp.Format{})
	}
	return errPacket(xcp.ErrCmdUnknown)
}
