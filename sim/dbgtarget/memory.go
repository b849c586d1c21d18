package dbgtarget

import (
	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// memRegion is simulated target memory.
type memRegion struct {
	Region
	data []byte
}

func newRegion(r Region) *memRegion {
	m := &memRegion{Region: r, data: make([]byte, r.Size)}
	if len(r.Init) > 0 {
		for i := 0; i < len(m.data); i += len(r.Init) {
			copy(m.data[i:], r.Init)
		}
	}
	return m
}

// access checks an access of n elements of width ew at addr through tri
// and returns the region's bytes, or an error packet: ERR_DBG_TRI_UNSUPPORTED,
// ERR_DBG_EW_UNSUPPORTED, ERR_OUT_OF_RANGE (misalignment, n = 0) or
// ERR_DBG_BUS_ERROR (unmapped, bus-error region, read-only on write).
func (t *Target) access(tri swdbg.TRI, ew swdbg.ElementWidth, addr uint64, n int, write bool) ([]byte, []byte) {
	if !t.knownTRI(tri) {
		return nil, dbgErr(swdbg.ErrTRIUnsupported)
	}
	if !ew.Valid() || swdbg.CheckRH850DebugAccess(tri, ew) != nil {
		return nil, dbgErr(swdbg.ErrEWUnsupported)
	}
	if addr%uint64(ew) != 0 || n <= 0 {
		return nil, errPacket(xcp.ErrOutOfRange)
	}
	size := uint64(n) * uint64(ew)
	for _, r := range t.mem {
		if r.TRI != tri || addr < r.Base || addr-r.Base >= uint64(r.Size) {
			continue
		}
		if r.EW != 0 && r.EW != ew {
			return nil, dbgErr(swdbg.ErrEWUnsupported)
		}
		off := addr - r.Base
		if r.BusError || off+size > uint64(r.Size) || (write && r.ReadOnly) {
			return nil, dbgErr(swdbg.ErrBusError)
		}
		return r.data[off : off+size], nil
	}
	return nil, dbgErr(swdbg.ErrBusError)
}

// knownTRI reports whether the target has memory behind tri.
func (t *Target) knownTRI(tri swdbg.TRI) bool {
	for _, r := range t.mem {
		if r.TRI == tri {
			return true
		}
	}
	return false
}

// Memory returns a copy of n bytes of target memory at addr via tri
// (nil if unmapped), for tests and tools.
func (t *Target) Memory(tri swdbg.TRI, addr uint64, n int) []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, e := t.access(tri, swdbg.EWByte, addr, n, false)
	if e != nil {
		return nil
	}
	return append([]byte(nil), b...)
}

func (t *Target) rmw(_ *Session, req []byte) []byte {
	var c swdbg.ReadModifyWrite
	if err := c.Decode(req, t.f); err != nil {
		if len(req) >= 6 && !swdbg.ElementWidth(req[5]).Valid() {
			return dbgErr(swdbg.ErrEWUnsupported)
		}
		return errPacket(xcp.ErrCmdSyntax)
	}
	if e := t.targetAccess(); e != nil {
		return e
	}
	mem, e := t.access(c.TRI, c.EW, c.Addr, 1, true)
	if e != nil {
		return e
	}
	v := swdbg.Element(mem, t.f.Order, c.EW)
	v = v&^c.Mask | c.Data&c.Mask
	out := swdbg.ReadModifyWriteResponse{EW: c.EW, Value: v}.Append(nil, t.f)
	copy(mem, out[c.EW:])
	return out
}

func (t *Target) write(d *Session, req []byte) []byte {
	var c swdbg.Write
	if err := c.Decode(req, t.f); err != nil {
		if len(req) >= 16 && !swdbg.ElementWidth(req[5]).Valid() {
			return dbgErr(swdbg.ErrEWUnsupported)
		}
		return errPacket(xcp.ErrCmdSyntax)
	}
	n, ew := int(c.N), int(c.EW)
	limit := swdbg.MaxWriteElements(t.cfg.MaxCTODbg, c.EW)
	if t.masterBlock {
		limit = swdbg.MaxBlockWriteElements(t.cfg.MaxCTODbg, t.maxBS, c.EW)
	}
	fail := func(p []byte) []byte {
		t.abort(d, swdbg.CmdWrite, req)
		return p
	}
	if n > limit {
		return fail(errPacket(xcp.ErrOutOfRange))
	}
	if n*ew > t.cfg.WriteBuffer {
		return fail(errPacket(xcp.ErrMemoryOverflow))
	}
	first := min(n, swdbg.MaxWriteElements(t.cfg.MaxCTODbg, c.EW))
	if len(c.Data) != first*ew {
		return fail(errPacket(xcp.ErrOutOfRange))
	}
	if e := t.targetAccess(); e != nil {
		return fail(e)
	}
	if _, e := t.access(c.TRI, c.EW, c.Addr, n, true); e != nil {
		return fail(e)
	}
	w := &pendingWrite{tri: c.TRI, ew: c.EW, addr: c.Addr, total: n, data: append([]byte(nil), c.Data...)}
	return t.continueWrite(d, w)
}

// continueWrite commits a complete write, or keeps it pending (no answer
// in master block mode).
func (t *Target) continueWrite(d *Session, w *pendingWrite) []byte {
	if len(w.data) < w.total*int(w.ew) {
		d.write = w
		return nil
	}
	d.write = nil
	if e := t.targetAccess(); e != nil {
		return e
	}
	mem, e := t.access(w.tri, w.ew, w.addr, w.total, true)
	if e != nil {
		return e
	}
	copy(mem, w.data)
	return ack()
}

// abort ends the transfer cmd belongs to after an error answer. In master
// block mode the master has sent the rest of the block already: those
// packets are dropped (d.skip) instead of each earning an ERR_SEQUENCE that
// the master would take for the answer to its next command.
func (t *Target) abort(d *Session, cmd swdbg.Command, req []byte) {
	rem, per := 0, 1
	switch {
	case cmd == swdbg.CmdWrite && t.masterBlock:
		var c swdbg.Write
		if c.Decode(req, t.f) == nil {
			rem = int(c.N) - swdbg.MaxWriteElements(t.cfg.MaxCTODbg, c.EW)
			per = swdbg.MaxWriteNextElements(t.cfg.MaxCTODbg, c.EW)
		}
	case cmd == swdbg.CmdWriteNext && d.write != nil && !d.write.can:
		per = swdbg.MaxWriteNextElements(t.cfg.MaxCTODbg, d.write.ew)
		rem = d.write.total - len(d.write.data)/int(d.write.ew) - per
	case cmd == swdbg.CmdWriteCANNext && d.write != nil && d.write.can && t.masterBlock:
		per = swdbg.MaxWriteCANElements(t.cfg.MaxCTODbg, d.write.ew)
		rem = d.write.total - len(d.write.data)/int(d.write.ew) - per
	}
	if rem > 0 && per > 0 {
		d.skip = (rem + per - 1) / per
	}
	d.read1, d.write, d.canWrite1 = nil, nil, nil
}

func (t *Target) writeNext(d *Session, req []byte) []byte {
	if !t.masterBlock {
		return errPacket(xcp.ErrCmdUnknown)
	}
	w := d.write
	if w == nil {
		return errPacket(xcp.ErrSequence)
	}
	c := swdbg.WriteNext{EW: w.ew}
	if err := c.Decode(req, t.f); err != nil {
		t.abort(d, swdbg.CmdWriteNext, req)
		return errPacket(xcp.ErrCmdSyntax)
	}
	rem := w.total - len(w.data)/int(w.ew)
	if int(c.Remaining) != rem {
		t.abort(d, swdbg.CmdWriteNext, req)
		return t.f.Order.AppendUint16(errPacket(xcp.ErrSequence), uint16(rem))
	}
	if len(c.Data) != min(rem, swdbg.MaxWriteNextElements(t.cfg.MaxCTODbg, w.ew))*int(w.ew) {
		t.abort(d, swdbg.CmdWriteNext, req)
		return errPacket(xcp.ErrCmdSyntax)
	}
	w.data = append(w.data, c.Data...)
	return t.continueWrite(d, w)
}

func (t *Target) writeCAN1(d *Session, req []byte) []byte {
	var c swdbg.WriteCAN1
	if err := c.Decode(req, t.f); err != nil {
		return errPacket(xcp.ErrCmdSyntax)
	}
	if !t.knownTRI(c.TRI) {
		return dbgErr(swdbg.ErrTRIUnsupported)
	}
	d.canWrite1 = &c
	return ack()
}

func (t *Target) writeCAN2(d *Session, req []byte) []byte {
	c1 := d.canWrite1
	d.canWrite1 = nil
	if c1 == nil {
		return errPacket(xcp.ErrSequence)
	}
	var c swdbg.WriteCAN2
	if err := c.Decode(req, t.f); err != nil {
		if len(req) >= 5 {
			return dbgErr(swdbg.ErrEWUnsupported)
		}
		return errPacket(xcp.ErrCmdSyntax)
	}
	n := int(c.N)
	limit := swdbg.MaxWriteCANElements(t.cfg.MaxCTODbg, c.EW)
	if t.masterBlock {
		limit = swdbg.MaxBlockWriteCANElements(t.cfg.MaxCTODbg, t.maxBS, c.EW)
	}
	if n == 0 {
		return errPacket(xcp.ErrOutOfRange)
	}
	if n > limit {
		// Table 49: ERR_SEQUENCE with the number of elements expected.
		return append(errPacket(xcp.ErrSequence), byte(limit))
	}
	if n*int(c.EW) > t.cfg.WriteBuffer {
		return errPacket(xcp.ErrMemoryOverflow)
	}
	// The target itself is accessed (and checked) at DBG_WRITE_CAN_NEXT.
	if _, e := t.access(c1.TRI, c.EW, uint64(c1.Addr), n, true); e != nil {
		return e
	}
	d.write = &pendingWrite{tri: c1.TRI, ew: c.EW, addr: uint64(c1.Addr), total: n, can: true}
	return ack()
}

func (t *Target) writeCANNext(d *Session, req []byte) []byte {
	d.canNexts++
	w := d.write
	if w == nil || !w.can {
		t.abort(d, swdbg.CmdWriteCANNext, req)
		return errPacket(xcp.ErrSequence)
	}
	if d.canNexts > 1 && !t.masterBlock {
		t.abort(d, swdbg.CmdWriteCANNext, req)
		return errPacket(xcp.ErrCmdUnknown)
	}
	c := swdbg.WriteCANNext{EW: w.ew}
	if err := c.Decode(req, t.f); err != nil {
		t.abort(d, swdbg.CmdWriteCANNext, req)
		return errPacket(xcp.ErrCmdSyntax)
	}
	rem := w.total - len(w.data)/int(w.ew)
	if int(c.Remaining) != rem {
		t.abort(d, swdbg.CmdWriteCANNext, req)
		return append(errPacket(xcp.ErrSequence), byte(rem))
	}
	if len(c.Data) != min(rem, swdbg.MaxWriteCANElements(t.cfg.MaxCTODbg, w.ew))*int(w.ew) {
		t.abort(d, swdbg.CmdWriteCANNext, req)
		return errPacket(xcp.ErrCmdSyntax)
	}
	w.data = append(w.data, c.Data...)
	return t.continueWrite(d, w)
}

func (t *Target) read(ss *Session, req []byte) []byte {
	var c swdbg.Read
	if err := c.Decode(req, t.f); err != nil {
		if len(req) >= 16 {
			return dbgErr(swdbg.ErrEWUnsupported)
		}
		return errPacket(xcp.ErrCmdSyntax)
	}
	return t.sendRead(ss, c.TRI, c.EW, c.Addr, int(c.N), swdbg.CmdRead)
}

func (t *Target) readCAN1(d *Session, req []byte) []byte {
	var c swdbg.ReadCAN1
	if err := c.Decode(req, t.f); err != nil {
		return errPacket(xcp.ErrCmdSyntax)
	}
	if !t.knownTRI(c.TRI) {
		return dbgErr(swdbg.ErrTRIUnsupported)
	}
	d.read1 = &c
	return ack()
}

func (t *Target) readCAN2(ss *Session, req []byte) []byte {
	c1 := ss.read1
	ss.read1 = nil
	if c1 == nil {
		return errPacket(xcp.ErrSequence)
	}
	var c swdbg.ReadCAN2
	if err := c.Decode(req, t.f); err != nil {
		if len(req) >= 5 {
			return dbgErr(swdbg.ErrEWUnsupported)
		}
		return errPacket(xcp.ErrCmdSyntax)
	}
	return t.sendRead(ss, c1.TRI, c.EW, uint64(c1.Addr), int(c.N), swdbg.CmdReadCAN2)
}

// sendRead answers DBG_READ / DBG_READ_CAN2: one packet, or in slave block
// mode as many as needed (all but the last sent here).
func (t *Target) sendRead(ss *Session, tri swdbg.TRI, ew swdbg.ElementWidth, addr uint64, n int, cmd swdbg.Command) []byte {
	if !ew.Valid() {
		return dbgErr(swdbg.ErrEWUnsupported)
	}
	per := swdbg.MaxReadElements(t.cfg.MaxCTODbg, ew)
	limit := per
	if t.slaveBlock {
		limit = 65535
		if cmd == swdbg.CmdReadCAN2 {
			limit = 255
		}
	}
	if n == 0 || n > limit || per == 0 {
		return errPacket(xcp.ErrOutOfRange)
	}
	if e := t.targetAccess(); e != nil {
		return e
	}
	mem, e := t.access(tri, ew, addr, n, false)
	if e != nil {
		return e
	}
	lose := t.takeFault(cmd, FaultLosePacket)
	step := per * int(ew)
	for i := 0; ; i++ {
		chunk := mem[i*step : min(len(mem), (i+1)*step)]
		p := swdbg.ReadResponse{EW: ew, Data: chunk}.Append(nil, t.f)
		if (i+1)*step >= len(mem) {
			if lose && i == 1 {
				return nil
			}
			return p
		}
		if lose && i == 1 {
			continue
		}
		if err := ss.link.Send(p); err != nil {
			return nil
		}
	}
}
