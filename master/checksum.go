package master

import (
	"context"
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/protocol/checksum"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// BuildChecksum sends BUILD_CHECKSUM over size elements starting at the
// MTA. If size exceeds the slave's MAX_CHECKSUM_BLOCKSIZE the error is an
// *xcp.Error with ERR_OUT_OF_RANGE from which xcp.ChecksumBlockLimit reads
// the limit.
func (m *Master) BuildChecksum(ctx context.Context, size uint32) (xcp.BuildChecksumResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("BUILD_CHECKSUM"); err != nil {
		return xcp.BuildChecksumResponse{}, err
	}
	return m.buildChecksum(ctx, size)
}

func (m *Master) buildChecksum(ctx context.Context, size uint32) (xcp.BuildChecksumResponse, error) {
	var r xcp.BuildChecksumResponse
	p, err := m.do1(ctx, xcp.BuildChecksum{BlockSize: size}.Append(m.req[:0], m.format))
	if err != nil {
		return r, opErr("BUILD_CHECKSUM", err)
	}
	if err := r.Decode(p, m.format); err != nil {
		return r, opErr("BUILD_CHECKSUM", err)
	}
	m.advanceMTA(int(size))
	return r, nil
}

// Checksum sets the MTA to addr/ext and sends BUILD_CHECKSUM over n bytes
// (a multiple of the address granularity).
func (m *Master) Checksum(ctx context.Context, addr uint32, ext uint8, n int) (xcp.BuildChecksumResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("BUILD_CHECKSUM"); err != nil {
		return xcp.BuildChecksumResponse{}, err
	}
	if err := m.checkLen("BUILD_CHECKSUM", n); err != nil {
		return xcp.BuildChecksumResponse{}, err
	}
	if err := m.setMTA(ctx, addr, ext); err != nil {
		return xcp.BuildChecksumResponse{}, err
	}
	return m.buildChecksum(ctx, uint32(n/m.format.AG.Size()))
}

// MismatchError reports a range whose slave checksum differs from the
// checksum of the expected data.
type MismatchError struct {
	Addr   uint32 // start of the range that differs
	Ext    uint8
	Len    int // bytes
	Type   xcp.ChecksumType
	Slave  uint32 // BUILD_CHECKSUM result
	Expect uint32 // checksum of the expected data
}

// Error implements error.
func (e *MismatchError) Error() string {
	return fmt.Sprintf("master: verify 0x%X+%d (ext %d): slave %s 0x%X, expected 0x%X",
		e.Addr, e.Len, e.Ext, e.Type, e.Slave, e.Expect)
}

// ErrMismatch is matched (errors.Is) by *MismatchError.
var ErrMismatch = errors.New("master: checksum mismatch")

// Is lets errors.Is(err, ErrMismatch) match.
func (e *MismatchError) Is(target error) bool { return target == ErrMismatch }

// Verify checks that the slave's memory at addr/ext holds data by comparing
// BUILD_CHECKSUM with a local calculation of the checksum type the slave
// uses. Ranges larger than the slave's MAX_CHECKSUM_BLOCKSIZE (learnt from
// its ERR_OUT_OF_RANGE answer) are split. It returns nil on a match, a
// *MismatchError on a difference, and checksum.ErrUnsupported when the
// slave uses XCP_USER_DEFINED.
func (m *Master) Verify(ctx context.Context, addr uint32, ext uint8, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("verify"); err != nil {
		return err
	}
	if err := m.checkLen("verify", len(data)); err != nil {
		return err
	}
	ag := m.format.AG.Size()
	elems := len(data) / ag
	for off := 0; off < elems; {
		n := elems - off
		if lim := int(m.ext.checksumLimit); lim > 0 && n > lim {
			n = lim
			// Split on dword boundaries: ADD_22/24/44 need whole words/dwords.
			if es := 4 / ag; es > 1 && n >= es {
				n -= n % es
			}
		}
		a := addr + uint32(off*ag)
		if err := m.setMTA(ctx, a, ext); err != nil {
			return err
		}
		r, err := m.buildChecksum(ctx, uint32(n))
		var xe *xcp.Error
		if errors.As(err, &xe) {
			if lim, ok := xcp.ChecksumBlockLimit(xe, m.format); ok && int(lim) < n {
				m.ext.checksumLimit = lim
				m.log.Debug("xcp checksum block limit", "max_elements", lim)
				continue
			}
		}
		if err != nil {
			return fmt.Errorf("%w (verifying 0x%X+%d)", err, a, n*ag)
		}
		chunk := data[off*ag : (off+n)*ag]
		want, err := checksum.Checksum(r.Type, m.format.Order, chunk)
		if err != nil {
			return fmt.Errorf("master: verify 0x%X+%d: %w", a, len(chunk), err)
		}
		if want != r.Checksum {
			return &MismatchError{Addr: a, Ext: ext, Len: len(chunk), Type: r.Type, Slave: r.Checksum, Expect: want}
		}
		off += n
	}
	return nil
}
