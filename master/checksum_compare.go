package master

import (
	"context"
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/protocol/checksum"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// ChecksumBlock is the result of CompareChecksum for one BUILD_CHECKSUM
// block.
type ChecksumBlock struct {
	Addr  uint32
	Len   int // bytes
	Type  xcp.ChecksumType
	Slave uint32 // the slave's BUILD_CHECKSUM
	// Local is the checksum of the bytes read back, computed with Type in
	// the slave's byte order; Computed is false when goxcp has no
	// implementation of Type (a user-defined checksum), and Match is then
	// false too.
	Local    uint32
	Computed bool
	Match    bool
}

// CompareChecksum lets the slave compute BUILD_CHECKSUM over n bytes at
// addr/ext, reads the same bytes and computes the checksum locally with
// the algorithm the slave reports. A range larger than the slave's
// MAX_CHECKSUM_BLOCKSIZE is split into blocks of that size (learnt from
// the slave's ERR_OUT_OF_RANGE answer), one ChecksumBlock each.
func (m *Master) CompareChecksum(ctx context.Context, addr uint32, ext uint8, n int) ([]ChecksumBlock, error) {
	f := m.Format()
	var out []ChecksumBlock
	block := n
	for off := 0; off < n; {
		k := min(block, n-off)
		a := addr + uint32(off)
		r, err := m.Checksum(ctx, a, ext, k)
		var xe *xcp.Error
		if errors.As(err, &xe) {
			if lim, ok := xcp.ChecksumBlockLimit(xe, f); ok && int(lim)*f.AG.Size() < k {
				block = int(lim) * f.AG.Size()
				continue // again with the slave's limit
			}
		}
		if err != nil {
			return out, err
		}
		data, err := m.Read(ctx, a, ext, k)
		if err != nil {
			return out, err
		}
		b := ChecksumBlock{Addr: a, Len: k, Type: r.Type, Slave: r.Checksum}
		local, err := checksum.Checksum(r.Type, f.Order, data)
		switch {
		case errors.Is(err, checksum.ErrUnsupported):
		case err != nil:
			return out, fmt.Errorf("master: local %s over %d bytes: %w", r.Type, k, err)
		default:
			b.Local, b.Computed, b.Match = local, true, local == r.Checksum
		}
		out = append(out, b)
		off += k
	}
	return out, nil
}
