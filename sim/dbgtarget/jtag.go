package dbgtarget

import (
	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// The simulated JTAG TAP: an IEEE 1149.1 controller with a 10-bit
// instruction register and three data registers.
const (
	irLen    = 10
	irIDCODE = 0x001 // 32-bit IDCODE (the JTAG ID); loaded at Test-Logic-Reset
	irDBG192 = 0x210 // the 192-bit debug register of table 70
	irBYPASS = 0x3FF // 1-bit bypass; every unknown instruction selects it too
)

type tap struct {
	state   swdbg.TAPState
	ir      uint16
	irShift uint16
	dr      swdbg.Bits // the data shift register of the current instruction
	dr192   [24]byte
	idcode  uint32
}

func (t *tap) reset(id uint32, dr192 [24]byte) {
	*t = tap{state: swdbg.TestLogicReset, ir: irIDCODE, idcode: id, dr192: dr192}
}

// clock runs one TCK cycle with the given TMS and TDI levels and returns
// the TDO level sampled in it.
func (t *tap) clock(tms, tdi uint8) uint8 {
	var tdo uint8
	switch t.state {
	case swdbg.ShiftIR:
		tdo = uint8(t.irShift & 1)
		t.irShift = t.irShift>>1 | uint16(tdi&1)<<(irLen-1)
	case swdbg.ShiftDR:
		tdo = t.dr.Bit(0)
		for i := 0; i < t.dr.N-1; i++ {
			t.dr.SetBit(i, t.dr.Bit(i+1))
		}
		t.dr.SetBit(t.dr.N-1, tdi)
	}
	next := t.state.Next(tms)
	switch next {
	case swdbg.TestLogicReset:
		t.ir = irIDCODE
	case swdbg.CaptureIR:
		t.irShift = 0x001 // IEEE 1149.1: the two LSBs capture 01
	case swdbg.UpdateIR:
		t.ir = t.irShift
	case swdbg.CaptureDR:
		switch t.ir {
		case irIDCODE:
			t.dr = swdbg.BitsOf(32, uint64(t.idcode))
		case irDBG192:
			t.dr = swdbg.Bits{N: 192, V: append([]byte(nil), t.dr192[:]...)}
		default:
			t.dr = swdbg.Bits{N: 1, V: []byte{0}}
		}
	case swdbg.UpdateDR:
		if t.ir == irDBG192 && t.dr.N == 192 {
			copy(t.dr192[:], t.dr.V)
		}
	}
	t.state = next
	return tdo
}

// toIdle walks through Test-Logic-Reset to Run-Test/Idle.
func (t *tap) toIdle() {
	for range 5 {
		t.clock(1, 0)
	}
	t.clock(0, 0)
}

// runJPL plays one JPL sequence on the TAP (appendix A). fail simulates a
// low level interface error.
func (t *tap) runJPL(seq []byte, fail bool) swdbg.SeqResult {
	cmds, err := swdbg.ParseJPL(seq)
	if err != nil {
		return swdbg.SeqResult{Status: swdbg.SeqSyntax}
	}
	if fail {
		// The interface fails before the first TCK of the sequence.
		return swdbg.SeqResult{Status: swdbg.SeqInterfaceError}
	}
	var res swdbg.SeqResult
	for _, c := range cmds {
		switch c := c.(type) {
		case *swdbg.JPLStep:
			for i := range c.TMS.N {
				t.clock(c.TMS.Bit(i), c.TDI)
			}
		case *swdbg.JPLData:
			st, rep, tdo := t.runData(c)
			res.Repeat, res.TDO = rep, tdo
			if st != swdbg.SeqOK {
				res.Status = st // repeat count exceeded: the sequence still runs to its end
			}
		}
	}
	return res
}

// runData executes a data command with its repeat semantics and returns
// the status, the repeat count and the last 32 TDO bits.
func (t *tap) runData(c *swdbg.JPLData) (swdbg.SeqStatus, uint8, uint32) {
	maskZero := true
	for i := range c.N {
		if c.Mask.Bit(i) == 1 {
			maskZero = false
		}
	}
	var repeats uint8
	for {
		var tdo32 uint32
		match := true
		for i := range c.N {
			b := t.clock(c.TMS.Bit(i), c.TDI.Bit(i))
			if i < 32 {
				tdo32 |= uint32(b) << i
			} else {
				tdo32 = tdo32>>1 | uint32(b)<<31
			}
			if c.Mask.Bit(i) == 1 && b != c.TDO.Bit(i) {
				match = false
			}
		}
		switch {
		case c.Repeat == 0, !maskZero && match:
			return swdbg.SeqOK, repeats, tdo32
		case repeats >= c.Repeat && maskZero:
			return swdbg.SeqOK, repeats, tdo32
		case repeats >= c.Repeat:
			return swdbg.SeqRepeatExceeded, repeats, tdo32
		}
		for i := range c.RepeatTMS.N {
			t.clock(c.RepeatTMS.Bit(i), c.RepeatTDI)
		}
		repeats++
	}
}

func (t *Target) sequenceMultiple(d *Session, req []byte) []byte {
	var c swdbg.SequenceMultiple
	if err := c.Decode(req, t.f); err != nil {
		return errPacket(xcp.ErrCmdSyntax)
	}
	if c.Mode&^0x0F != 0 || 6+6*len(c.Sequences) > t.cfg.MaxCTODbg {
		return errPacket(xcp.ErrOutOfRange)
	}
	if !d.busOwned && c.Mode&swdbg.SeqBusInit == 0 {
		return errPacket(xcp.ErrCmdSyntax)
	}
	if e := t.targetAccess(); e != nil {
		return e
	}
	if c.Mode&swdbg.SeqBusInit != 0 {
		d.busOwned = true
		if t.tap.state != swdbg.RunTestIdle {
			t.tap.toIdle()
		}
	}
	results := make([]swdbg.SeqResult, 0, len(c.Sequences))
	failed := false
	for i, s := range c.Sequences {
		var r swdbg.SeqResult
		if t.cfg.DAP {
			r = swdbg.SeqResult{Status: swdbg.SeqBadDialect}
		} else {
			fail := i == len(c.Sequences)-1 && t.takeFault(swdbg.CmdSequenceMultiple, FaultJPLInterface)
			r = t.tap.runJPL(s, fail)
		}
		results = append(results, r)
		if r.Status != swdbg.SeqOK {
			failed = true
		}
		if r.Status == swdbg.SeqSyntax || r.Status == swdbg.SeqInterfaceError || r.Status == swdbg.SeqBadDialect {
			// Abort: reinitialise the interface and release the bus.
			t.tap.toIdle()
			d.busOwned = false
			break
		}
	}
	if c.Mode&swdbg.SeqBusRelease != 0 {
		d.busOwned = false
	}
	if failed {
		return swdbg.ErrorResponse{Err: swdbg.Error{Code: xcp.ErrDbg, Dbg: swdbg.ErrJPL, Results: results}}.Append(nil, t.f)
	}
	return swdbg.SequenceMultipleResponse{Results: results}.Append(nil, t.f)
}
