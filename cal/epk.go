package cal

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/a2l"
)

// ErrEPKMismatch is returned (wrapped in an *EPKError) when the EPK in
// memory differs from the one the A2L declares: the A2L describes other
// software than the ECU (or image) runs.
var ErrEPKMismatch = errors.New("EPK mismatch: the A2L does not describe this software")

// EPKError says where the EPK was read and what both sides hold.
type EPKError struct {
	Addr      uint32
	A2L, Have string
}

func (e *EPKError) Error() string {
	return fmt.Sprintf("EPK mismatch at 0x%X: the A2L declares %q, the memory holds %q", e.Addr, e.A2L, e.Have)
}

// Unwrap makes errors.Is(err, ErrEPKMismatch) true.
func (e *EPKError) Unwrap() error { return ErrEPKMismatch }

// CheckEPK compares the EPK that m declares (MOD_PAR EPK) with the bytes
// at every ADDR_EPK in mem. It returns nil when the A2L declares no EPK or
// no ADDR_EPK (nothing to compare), an *EPKError on a mismatch, and the
// memory error when the EPK cannot be read. Trailing NUL bytes and blanks
// in memory are ignored.
func CheckEPK(ctx context.Context, m *a2l.Module, mem Memory) error {
	want := m.ModPar.EPK
	if want == "" || len(m.ModPar.AddrEPK) == 0 {
		return nil
	}
	for _, addr := range m.ModPar.AddrEPK {
		b, err := mem.Read(ctx, addr, 0, len(want))
		if err != nil {
			return fmt.Errorf("cal: read the EPK at 0x%X: %w", addr, err)
		}
		if !bytes.Equal(b, []byte(want)) {
			return &EPKError{Addr: addr, A2L: want, Have: string(bytes.TrimRight(b, "\x00 "))}
		}
	}
	return nil
}
