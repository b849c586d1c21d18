package dbg

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// maxBlockBytes bounds the response packets of one slave-block read.
const maxBlockBytes = 512 << 10

// can reports whether the CAN command set is in use (MAX_CTO_DBG < 32).
func (s *Session) can() bool { return s.info.MaxCTODbg < 32 }

// CANCommands reports whether memory accesses use the CAN command set
// (DBG_READ_CAN1/2, DBG_WRITE_CAN1/2/NEXT) because MAX_CTO_DBG < 32,
// rather than DBG_READ and DBG_WRITE.
func (s *Session) CANCommands() bool { return s.can() }

// ErrNoAccess is matched when the slave reports service level 1: SW-DBG
// has no access to the target interface.
var ErrNoAccess = errors.New("dbg: service level 1: the slave grants SW-DBG no access to the target")

// checkLevel refuses target accesses at service level 1.
func (s *Session) checkLevel(what string) error {
	if s.ServiceLevel() == swdbg.ServiceNoAccess {
		return fmt.Errorf("%s: %w", what, ErrNoAccess)
	}
	return nil
}

func (s *Session) checkAccess(what string, tri swdbg.TRI, ew swdbg.ElementWidth, addr uint64, n int) error {
	if err := s.checkLevel("dbg: " + what); err != nil {
		return err
	}
	if !ew.Valid() {
		return fmt.Errorf("dbg: %s: element width %d is not 1, 2, 4 or 8", what, ew)
	}
	if s.can() && !ew.ValidCAN() {
		return fmt.Errorf("dbg: %s: element width DLONG is not available with MAX_CTO_DBG %d (CAN commands)", what, s.info.MaxCTODbg)
	}
	if err := swdbg.CheckRH850DebugAccess(tri, ew); err != nil {
		return fmt.Errorf("dbg: %s: %w", what, err)
	}
	if addr%uint64(ew) != 0 {
		return fmt.Errorf("dbg: %s: address 0x%X is not aligned to the element width %s", what, addr, ew)
	}
	end := addr + uint64(n)*uint64(ew)
	if n > 0 && (end < addr || (s.can() && end-1 > 0xFFFFFFFF)) {
		return fmt.Errorf("dbg: %s: %d elements at 0x%X exceed the address space", what, n, addr)
	}
	return nil
}

// budget warns, at service level 4, before a target access estimated to
// take longer than the 100 µs the standard allows.
func (s *Session) budget(what string, d time.Duration) {
	if s.ServiceLevel() != swdbg.ServiceLow || d <= Budget {
		return
	}
	s.stats.BudgetWarnings++
	s.log.Warn("sw-dbg service level 4: access exceeds the 100 µs budget", "access", what, "estimated", d)
}

func (s *Session) rateDuration(bytes int) time.Duration {
	return time.Duration(float64(bytes) / s.cfg.AccessRate * float64(time.Second))
}

// Read reads n elements of width ew at the (aligned) byte address addr
// through tri and returns their bytes as sent by the slave (n×ew bytes).
// It uses DBG_READ, in slave block mode where available, or the sequence
// DBG_READ_CAN1/DBG_READ_CAN2 when MAX_CTO_DBG < 32, in as many chunks as
// needed.
func (s *Session) Read(ctx context.Context, tri swdbg.TRI, ew swdbg.ElementWidth, addr uint64, n int) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.read(ctx, tri, ew, addr, n)
}

func (s *Session) read(ctx context.Context, tri swdbg.TRI, ew swdbg.ElementWidth, addr uint64, n int) ([]byte, error) {
	if err := s.checkAccess("read", tri, ew, addr, n); err != nil {
		return nil, err
	}
	s.budget(fmt.Sprintf("read %d bytes", n*int(ew)), s.rateDuration(n*int(ew)))
	maxCTO := int(s.info.MaxCTODbg)
	per := swdbg.MaxReadElements(maxCTO, ew)
	if per < 1 {
		return nil, fmt.Errorf("dbg: read: MAX_CTO_DBG %d cannot carry a %s element", maxCTO, ew)
	}
	limit := per
	if s.block.Slave {
		limit = 65535
		if s.can() {
			limit = 255
		}
		// Keep one block's response packets within 512 KiB.
		limit = min(limit, max(1, maxBlockBytes/maxCTO)*per)
	}
	out := make([]byte, 0, n*int(ew))
	for done := 0; done < n; {
		k := min(limit, n-done)
		a := addr + uint64(done)*uint64(ew)
		var data []byte
		var err error
		if s.can() {
			err = s.transfer(ctx, func() error {
				if _, err := s.exec(ctx, swdbg.CmdReadCAN1, swdbg.ReadCAN1{TRI: tri, Addr: uint32(a)}.Append(nil, s.f)); err != nil {
					return err
				}
				data, err = s.readPackets(ctx, swdbg.CmdReadCAN2, swdbg.ReadCAN2{EW: ew, N: uint8(k)}.Append(nil, s.f), ew, k, per)
				return err
			})
		} else {
			data, err = s.readPackets(ctx, swdbg.CmdRead, swdbg.Read{TRI: tri, EW: ew, N: uint16(k), Addr: a}.Append(nil, s.f), ew, k, per)
		}
		if err != nil {
			return nil, fmt.Errorf("dbg: read %d×%s at 0x%X (TRI %d): %w", k, ew, a, tri, err)
		}
		out = append(out, data...)
		done += k
	}
	return out, nil
}

// readPackets sends a read command and collects its ⌈k/per⌉ response
// packets, checking that each carries exactly the elements it must.
func (s *Session) readPackets(ctx context.Context, cmd swdbg.Command, req []byte, ew swdbg.ElementWidth, k, per int) ([]byte, error) {
	np := (k + per - 1) / per
	resps, err := s.execN(ctx, cmd, [][]byte{req}, np)
	if err != nil {
		return nil, err
	}
	if len(resps) != np {
		return nil, fmt.Errorf("%s: %d response packets, expected %d", cmd, len(resps), np)
	}
	out := make([]byte, 0, k*int(ew))
	for i, p := range resps {
		r := swdbg.ReadResponse{EW: ew, N: min(per, k-i*per)}
		if err := r.Decode(p, s.f); err != nil {
			return nil, fmt.Errorf("%s response packet %d of %d: %w", cmd, i+1, np, err)
		}
		out = append(out, r.Data...)
	}
	return out, nil
}

// Write writes data (a multiple of ew bytes, in the slave's byte order) at
// the aligned byte address addr through tri, with DBG_WRITE (+
// DBG_WRITE_NEXT in master block mode) or the sequence DBG_WRITE_CAN1/
// DBG_WRITE_CAN2/DBG_WRITE_CAN_NEXT when MAX_CTO_DBG < 32.
func (s *Session) Write(ctx context.Context, tri swdbg.TRI, ew swdbg.ElementWidth, addr uint64, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.write(ctx, tri, ew, addr, data)
}

func (s *Session) write(ctx context.Context, tri swdbg.TRI, ew swdbg.ElementWidth, addr uint64, data []byte) error {
	if len(data)%int(ew) != 0 || ew == 0 {
		return fmt.Errorf("dbg: write: %d bytes are not a whole number of %s elements", len(data), ew)
	}
	n := len(data) / max(1, int(ew))
	if err := s.checkAccess("write", tri, ew, addr, n); err != nil {
		return err
	}
	s.budget(fmt.Sprintf("write %d bytes", len(data)), s.rateDuration(len(data)))
	for done := 0; done < n; {
		a := addr + uint64(done)*uint64(ew)
		var k int
		var err error
		if s.can() {
			k, err = s.writeCAN(ctx, tri, ew, a, data[done*int(ew):])
		} else {
			k, err = s.writeStd(ctx, tri, ew, a, data[done*int(ew):])
		}
		if err != nil {
			return fmt.Errorf("dbg: write at 0x%X (TRI %d, %s): %w", a, tri, ew, err)
		}
		done += k
	}
	return nil
}

// writeStd writes the first chunk of data with DBG_WRITE (+ NEXT) and
// returns the elements written.
func (s *Session) writeStd(ctx context.Context, tri swdbg.TRI, ew swdbg.ElementWidth, addr uint64, data []byte) (int, error) {
	maxCTO, w := int(s.info.MaxCTODbg), int(ew)
	first := swdbg.MaxWriteElements(maxCTO, ew)
	next := swdbg.MaxWriteNextElements(maxCTO, ew)
	if first < 1 {
		return 0, fmt.Errorf("MAX_CTO_DBG %d cannot carry a %s element", maxCTO, ew)
	}
	n := len(data) / w
	block := s.block.Master && !s.unusable[swdbg.CmdWriteNext] && n > first
	if !block {
		k := min(n, first)
		_, err := s.exec(ctx, swdbg.CmdWrite, swdbg.Write{TRI: tri, EW: ew, N: uint16(k), Addr: addr, Data: data[:k*w]}.Append(nil, s.f))
		return k, err
	}
	k := min(n, first+(s.block.MaxBS-1)*next, 65535)
	err := s.transfer(ctx, func() error {
		reqs := [][]byte{swdbg.Write{TRI: tri, EW: ew, N: uint16(k), Addr: addr, Data: data[:first*w]}.Append(nil, s.f)}
		for off := first; off < k; off += next {
			m := min(next, k-off)
			reqs = append(reqs, swdbg.WriteNext{EW: ew, Remaining: uint16(k - off), Data: data[off*w : (off+m)*w]}.Append(nil, s.f))
		}
		_, err := s.execN(ctx, swdbg.CmdWriteNext, reqs, 1)
		return err
	})
	if err != nil && !s.usable(swdbg.CmdWriteNext) {
		// The slave has no master block mode after all: write without it.
		s.block.Master = false
		return s.writeStd(ctx, tri, ew, addr, data)
	}
	return k, err
}

// usable is Usable for callers holding s.mu.
func (s *Session) usable(cmd swdbg.Command) bool { return !s.unusable[cmd] }

// writeCAN writes the first chunk of data with DBG_WRITE_CAN1, _CAN2 and
// _CAN_NEXT and returns the elements written.
func (s *Session) writeCAN(ctx context.Context, tri swdbg.TRI, ew swdbg.ElementWidth, addr uint64, data []byte) (int, error) {
	maxCTO, w := int(s.info.MaxCTODbg), int(ew)
	per := swdbg.MaxWriteCANElements(maxCTO, ew)
	if per < 1 {
		return 0, fmt.Errorf("MAX_CTO_DBG %d cannot carry a %s element", maxCTO, ew)
	}
	n := len(data) / w
	k := min(n, per)
	if s.block.Master {
		k = min(n, swdbg.MaxBlockWriteCANElements(maxCTO, s.block.MaxBS, ew))
	}
	err := s.transfer(ctx, func() error {
		if _, err := s.exec(ctx, swdbg.CmdWriteCAN1, swdbg.WriteCAN1{TRI: tri, Addr: uint32(addr)}.Append(nil, s.f)); err != nil {
			return err
		}
		if _, err := s.exec(ctx, swdbg.CmdWriteCAN2, swdbg.WriteCAN2{EW: ew, N: uint8(k)}.Append(nil, s.f)); err != nil {
			var e *swdbg.Error
			if errors.As(err, &e) && e.Code == xcp.ErrSequence && e.Expected > 0 && e.Expected < k {
				k = e.Expected // table 49: the slave names the count it accepts; the restart uses it
			}
			return err
		}
		var reqs [][]byte
		for off := 0; off < k; off += per {
			m := min(per, k-off)
			reqs = append(reqs, swdbg.WriteCANNext{EW: ew, Remaining: uint8(k - off), Data: data[off*w : (off+m)*w]}.Append(nil, s.f))
		}
		_, err := s.execN(ctx, swdbg.CmdWriteCANNext, reqs, 1)
		return err
	})
	return k, err
}

// ReadModifyWrite performs *addr = (*addr &^ mask) | (data & mask)
// atomically in the slave (DBG_READ_MODIFY_WRITE) and returns the final
// value. It needs MAX_CTO_DBG ≥ 32.
func (s *Session) ReadModifyWrite(ctx context.Context, tri swdbg.TRI, ew swdbg.ElementWidth, addr, mask, data uint64) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rmw(ctx, tri, ew, addr, mask, data)
}

func (s *Session) rmw(ctx context.Context, tri swdbg.TRI, ew swdbg.ElementWidth, addr, mask, data uint64) (uint64, error) {
	if s.can() {
		return 0, fmt.Errorf("dbg: DBG_READ_MODIFY_WRITE needs MAX_CTO_DBG ≥ 32 (it is %d)", s.info.MaxCTODbg)
	}
	if err := s.checkAccess("read-modify-write", tri, ew, addr, 1); err != nil {
		return 0, err
	}
	p, err := s.exec(ctx, swdbg.CmdReadModifyWrite, swdbg.ReadModifyWrite{TRI: tri, EW: ew, Addr: addr, Mask: mask, Data: data}.Append(nil, s.f))
	if err != nil {
		return 0, fmt.Errorf("dbg: read-modify-write at 0x%X: %w", addr, err)
	}
	r := swdbg.ReadModifyWriteResponse{EW: ew}
	if err := r.Decode(p, s.f); err != nil {
		return 0, fmt.Errorf("dbg: DBG_READ_MODIFY_WRITE: %w", err)
	}
	return r.Value, nil
}

// ReadBytes reads n bytes at any address: it reads the whole elements of
// width ew that cover the range and returns the requested bytes.
func (s *Session) ReadBytes(ctx context.Context, tri swdbg.TRI, ew swdbg.ElementWidth, addr uint64, n int) ([]byte, error) {
	if n == 0 {
		return []byte{}, nil
	}
	w := uint64(ew)
	if w == 0 {
		return nil, fmt.Errorf("dbg: read: element width 0")
	}
	start := addr / w * w
	end := (addr + uint64(n) + w - 1) / w * w
	b, err := s.Read(ctx, tri, ew, start, int((end-start)/w))
	if err != nil {
		return nil, err
	}
	return b[addr-start : addr-start+uint64(n)], nil
}

// WriteBytes writes data at any address: whole elements are written
// directly, partial elements at the edges are merged with
// DBG_READ_MODIFY_WRITE (or read, patched and written back when
// MAX_CTO_DBG < 32).
func (s *Session) WriteBytes(ctx context.Context, tri swdbg.TRI, ew swdbg.ElementWidth, addr uint64, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := uint64(ew)
	if w == 0 || !ew.Valid() {
		return fmt.Errorf("dbg: write: element width %d is not 1, 2, 4 or 8", ew)
	}
	for len(data) > 0 {
		base := addr / w * w
		off := addr - base
		if off == 0 && uint64(len(data)) >= w {
			k := uint64(len(data)) / w * w
			if err := s.write(ctx, tri, ew, addr, data[:k]); err != nil {
				return err
			}
			addr, data = addr+k, data[k:]
			continue
		}
		m := min(w-off, uint64(len(data)))
		if err := s.patch(ctx, tri, ew, base, off, data[:m]); err != nil {
			return err
		}
		addr, data = addr+m, data[m:]
	}
	return nil
}

// patch writes part of one element.
func (s *Session) patch(ctx context.Context, tri swdbg.TRI, ew swdbg.ElementWidth, base, off uint64, part []byte) error {
	val := make([]byte, ew)
	mask := make([]byte, ew)
	copy(val[off:], part)
	for i := range part {
		mask[int(off)+i] = 0xFF
	}
	if !s.can() && !s.unusable[swdbg.CmdReadModifyWrite] {
		_, err := s.rmw(ctx, tri, ew, base, swdbg.Element(mask, s.f.Order, ew), swdbg.Element(val, s.f.Order, ew))
		if err == nil || s.usable(swdbg.CmdReadModifyWrite) {
			return err
		}
	}
	cur, err := s.read(ctx, tri, ew, base, 1)
	if err != nil {
		return err
	}
	copy(cur[off:], part)
	return s.write(ctx, tri, ew, base, cur)
}

// Memory is a view of the target memory through one TRI with one element
// width, with byte-granular access (see ReadBytes and WriteBytes). It is
// what a GDB server (goxcp/gdbrsp) reads and writes.
type Memory struct {
	S   *Session
	TRI swdbg.TRI
	EW  swdbg.ElementWidth
}

// ReadMemory reads n bytes at addr.
func (m Memory) ReadMemory(ctx context.Context, addr uint64, n int) ([]byte, error) {
	return m.S.ReadBytes(ctx, m.TRI, m.EW, addr, n)
}

// WriteMemory writes data at addr.
func (m Memory) WriteMemory(ctx context.Context, addr uint64, data []byte) error {
	return m.S.WriteBytes(ctx, m.TRI, m.EW, addr, data)
}
