package sim

import (
	"github.com/goxcp/goxcp/protocol/checksum"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// buildChecksum answers BUILD_CHECKSUM over BlockSize elements at the MTA
// with the configured checksum type (Config.Checksum). Blocks larger than
// Config.MaxChecksumBlock are refused with ERR_OUT_OF_RANGE carrying the
// limit; ADD_22/ADD_24/ADD_44 need a block and MTA that are multiples of
// their element size. The MTA is post-incremented by the block.
func (ss *session) buildChecksum(c *xcp.BuildChecksum) []byte {
	f := ss.format()
	cfg := &ss.slave.cfg
	if c.BlockSize > cfg.MaxChecksumBlock {
		return xcp.AppendChecksumBlockLimit(ss.out[:0], f, cfg.MaxChecksumBlock)
	}
	n := int(c.BlockSize) * f.AG.Size()
	es := checksum.ElementSize(cfg.Checksum)
	if n == 0 || n%es != 0 || ss.mta%uint32(es) != 0 || !ss.aligned(ss.mta) {
		return errPacket(xcp.ErrOutOfRange)
	}
	if cap(ss.ckbuf) < n {
		ss.ckbuf = make([]byte, n)
	}
	buf := ss.ckbuf[:n]
	if err := ss.slave.readMemLocked(ss.mta, ss.mtaExt, buf); err != nil {
		return errPacket(codeOf(err))
	}
	sum, err := checksum.Checksum(cfg.Checksum, cfg.Order, buf)
	if err != nil {
		return errPacket(xcp.ErrGeneric)
	}
	ss.mta += uint32(n)
	return xcp.BuildChecksumResponse{Type: cfg.Checksum, Checksum: sum}.Append(ss.out[:0], f)
}
