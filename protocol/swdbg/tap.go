package swdbg

import (
	"errors"
	"fmt"
)

// TAPState is a state of the IEEE 1149.1 TAP controller.
type TAPState uint8

// TAP controller states.
const (
	TestLogicReset TAPState = iota
	RunTestIdle
	SelectDRScan
	CaptureDR
	ShiftDR
	Exit1DR
	PauseDR
	Exit2DR
	UpdateDR
	SelectIRScan
	CaptureIR
	ShiftIR
	Exit1IR
	PauseIR
	Exit2IR
	UpdateIR
	numTAPStates
)

var tapNames = [numTAPStates]string{"Test-Logic-Reset", "Run-Test/Idle", "Select-DR-Scan",
	"Capture-DR", "Shift-DR", "Exit1-DR", "Pause-DR", "Exit2-DR", "Update-DR", "Select-IR-Scan",
	"Capture-IR", "Shift-IR", "Exit1-IR", "Pause-IR", "Exit2-IR", "Update-IR"}

func (s TAPState) String() string {
	if s < numTAPStates {
		return tapNames[s]
	}
	return fmt.Sprintf("TAPState(%d)", uint8(s))
}

// tapNext[s][tms] is the IEEE 1149.1 state transition.
var tapNext = [numTAPStates][2]TAPState{
	TestLogicReset: {RunTestIdle, TestLogicReset},
	RunTestIdle:    {RunTestIdle, SelectDRScan},
	SelectDRScan:   {CaptureDR, SelectIRScan},
	CaptureDR:      {ShiftDR, Exit1DR},
	ShiftDR:        {ShiftDR, Exit1DR},
	Exit1DR:        {PauseDR, UpdateDR},
	PauseDR:        {PauseDR, Exit2DR},
	Exit2DR:        {ShiftDR, UpdateDR},
	UpdateDR:       {RunTestIdle, SelectDRScan},
	SelectIRScan:   {CaptureIR, TestLogicReset},
	CaptureIR:      {ShiftIR, Exit1IR},
	ShiftIR:        {ShiftIR, Exit1IR},
	Exit1IR:        {PauseIR, UpdateIR},
	PauseIR:        {PauseIR, Exit2IR},
	Exit2IR:        {ShiftIR, UpdateIR},
	UpdateIR:       {RunTestIdle, SelectDRScan},
}

// Next returns the state after one TCK cycle with the given TMS level.
func (s TAPState) Next(tms uint8) TAPState { return tapNext[s%numTAPStates][tms&1] }

// TMSPath returns the shortest TMS bit string that moves the TAP from one
// state to another (empty if from == to).
func TMSPath(from, to TAPState) Bits {
	if from >= numTAPStates || to >= numTAPStates || from == to {
		return Bits{}
	}
	type hop struct {
		prev TAPState
		tms  uint8
		seen bool
	}
	var h [numTAPStates]hop
	h[from].seen = true
	queue := []TAPState{from}
	for len(queue) > 0 && !h[to].seen {
		s := queue[0]
		queue = queue[1:]
		for tms := uint8(0); tms < 2; tms++ {
			n := s.Next(tms)
			if !h[n].seen {
				h[n] = hop{prev: s, tms: tms, seen: true}
				queue = append(queue, n)
			}
		}
	}
	var rev []uint8
	for s := to; s != from; s = h[s].prev {
		rev = append(rev, h[s].tms)
	}
	var b Bits
	for i := range rev {
		b.SetBit(i, rev[len(rev)-1-i])
	}
	b.N = len(rev)
	return b
}

// JPLBuilder assembles JPL sequences while tracking the TAP state. A
// sequence is what one result of DBG_SEQUENCE_MULTIPLE reports on (its
// last 32 TDO bits), so reads of long registers are cut into 32-bit
// sequences. The slave puts the TAP into Run-Test/Idle before the first
// sequence, which is the builder's start state.
type JPLBuilder struct {
	state TAPState
	seqs  [][]JPLCommand
	cur   []JPLCommand
	size  int // encoded bytes of cur
	limit int // largest sequence in bytes (0 = none)
	err   error
}

// Limit makes the builder cut sequences so that each fits one
// DBG_SEQUENCE_MULTIPLE of MAX_CTO_DBG bytes (header, length and padding
// included); long scans then spread over several sequences and commands.
func (b *JPLBuilder) Limit(maxCTODbg int) *JPLBuilder {
	b.limit = maxCTODbg - 6 - 2 - 1
	return b
}

// add appends a command to the current sequence, cutting it first when
// the limit would be exceeded.
func (b *JPLBuilder) add(c JPLCommand) {
	enc, err := c.appendJPL(nil)
	if err != nil {
		b.fail(err)
		return
	}
	if b.limit > 0 && len(enc) > b.limit {
		b.fail(fmt.Errorf("%w: one JPL command of %d bytes", ErrSequenceTooLong, len(enc)))
		return
	}
	if b.limit > 0 && b.size+len(enc) > b.limit {
		b.Cut()
	}
	b.cur = append(b.cur, c)
	b.size += len(enc)
}

// NewJPLBuilder returns a builder starting in Run-Test/Idle.
func NewJPLBuilder() *JPLBuilder { return &JPLBuilder{state: RunTestIdle} }

// State returns the TAP state after the commands so far.
func (b *JPLBuilder) State() TAPState { return b.state }

// Step appends a step command with the given TMS bits and TDI level.
func (b *JPLBuilder) Step(tms Bits, tdi uint8) *JPLBuilder {
	if tms.N == 0 {
		return b
	}
	for i := 0; i < tms.N; i += maxJPLBits {
		part := tms.Slice(i, min(tms.N, i+maxJPLBits))
		b.add(&JPLStep{TDI: tdi, TMS: part})
	}
	for i := range tms.N {
		b.state = b.state.Next(tms.Bit(i))
	}
	return b
}

// ResetToIdle walks through Test-Logic-Reset to Run-Test/Idle from any
// state: seven TMS ones and a zero (the sequence of table 69).
func (b *JPLBuilder) ResetToIdle() *JPLBuilder {
	b.Step(BitsOf(8, 0x7F), 0)
	b.state = RunTestIdle
	return b
}

// GoTo moves the TAP to s on the shortest path.
func (b *JPLBuilder) GoTo(s TAPState) *JPLBuilder { return b.Step(TMSPath(b.state, s), 0) }

// Shift shifts tdi through the selected register (the builder must be in
// Shift-DR or Shift-IR), comparing nothing. exit raises TMS on the last
// bit, leaving the TAP in Exit1. A scan longer than 255 bits becomes
// several data commands; with cut32 every 32 bits end up in a sequence of
// their own, so the slave reports each 32-bit slice of TDO.
func (b *JPLBuilder) Shift(tdi Bits, exit, cut32 bool) *JPLBuilder {
	if b.state != ShiftDR && b.state != ShiftIR {
		b.fail(fmt.Errorf("xcp/swdbg: JPL shift in %s, need Shift-DR or Shift-IR", b.state))
		return b
	}
	chunk := maxJPLBits
	if b.limit > 0 {
		// A data command of n bits takes 8 + 4⌈n/8⌉ bytes (repeat field 1).
		chunk = min(chunk, 8*((b.limit-8)/4))
		if chunk <= 0 {
			b.fail(fmt.Errorf("%w: no room for a JPL data command", ErrSequenceTooLong))
			return b
		}
	}
	if cut32 {
		chunk = min(chunk, 32)
	}
	for i := 0; i < tdi.N; i += chunk {
		if cut32 && i > 0 {
			b.Cut()
		}
		n := min(chunk, tdi.N-i)
		tms := Bits{N: n, V: make([]byte, (n+7)/8)}
		if exit && i+n == tdi.N {
			tms.SetBit(n-1, 1)
		}
		b.add(&JPLData{N: n, TMS: tms, TDI: tdi.Slice(i, i+n), TDO: Bits{N: n}, Mask: Bits{N: n}})
	}
	if exit && tdi.N > 0 {
		b.state = b.state.Next(1)
	}
	return b
}

// ShiftCompare appends one data command (at most 255 bits) that shifts tdi
// from Shift-DR or Shift-IR and compares TDO with tdo under mask; on a
// mismatch the slave runs the TMS path repeatPath (with TDI low) and
// repeats, at most repeat times (appendix A). A zero mask with repeat > 0
// loops unconditionally. exit raises TMS on the last bit. The repeat path
// must lead back to the shift state; the builder assumes the command ends
// like its main TMS bits say.
func (b *JPLBuilder) ShiftCompare(tdi, tdo, mask Bits, exit bool, repeat uint8, repeatPath Bits) *JPLBuilder {
	if b.state != ShiftDR && b.state != ShiftIR {
		b.fail(fmt.Errorf("xcp/swdbg: JPL shift in %s, need Shift-DR or Shift-IR", b.state))
		return b
	}
	n := tdi.N
	tms := Bits{N: n, V: make([]byte, (n+7)/8)}
	if exit && n > 0 {
		tms.SetBit(n-1, 1)
	}
	return b.Append(&JPLData{N: n, TMS: tms, TDI: tdi, TDO: tdo, Mask: mask, Repeat: repeat, RepeatTMS: repeatPath})
}

// ScanIR shifts an instruction into IR and moves to end.
func (b *JPLBuilder) ScanIR(ir Bits, end TAPState) *JPLBuilder {
	return b.GoTo(ShiftIR).Shift(ir, true, false).GoTo(end)
}

// ScanDR shifts tdi through DR and moves to end; with capture the TDO of
// every 32 bits comes back in its own sequence result.
func (b *JPLBuilder) ScanDR(tdi Bits, end TAPState, capture bool) *JPLBuilder {
	return b.GoTo(ShiftDR).Shift(tdi, true, capture).GoTo(end)
}

// Append adds a ready-made command; the TAP state is tracked by its TMS
// bits (a data command's repeat sequence is assumed not to run).
func (b *JPLBuilder) Append(c JPLCommand) *JPLBuilder {
	b.add(c)
	var tms Bits
	var n int
	switch c := c.(type) {
	case *JPLStep:
		tms, n = c.TMS, c.TMS.N
	case *JPLData:
		tms, n = c.TMS, c.N
	}
	for i := range n {
		b.state = b.state.Next(tms.Bit(i))
	}
	return b
}

// Cut ends the current sequence.
func (b *JPLBuilder) Cut() *JPLBuilder {
	if len(b.cur) > 0 {
		b.seqs = append(b.seqs, b.cur)
		b.cur, b.size = nil, 0
	}
	return b
}

func (b *JPLBuilder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// Commands returns the command lists of all sequences (ending the current).
func (b *JPLBuilder) Commands() ([][]JPLCommand, error) {
	b.Cut()
	return b.seqs, b.err
}

// Sequences returns the encoded sequences.
func (b *JPLBuilder) Sequences() ([][]byte, error) {
	cmds, err := b.Commands()
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(cmds))
	for i, c := range cmds {
		if out[i], err = EncodeJPL(c); err != nil {
			return nil, fmt.Errorf("sequence %d: %w", i, err)
		}
	}
	return out, nil
}

// ErrSequenceTooLong is returned by PackSequences for a sequence that does
// not fit one DBG_SEQUENCE_MULTIPLE within MAX_CTO_DBG.
var ErrSequenceTooLong = errors.New("xcp/swdbg: JPL sequence does not fit MAX_CTO_DBG")

// PackSequences distributes sequences over as few DBG_SEQUENCE_MULTIPLE
// commands as MAX_CTO_DBG allows. The first command gets SeqBusInit (and
// the init levels in init: SeqTMSInit|SeqTDIInit), the last SeqBusRelease.
func PackSequences(seqs [][]byte, init uint8, maxCTODbg int) ([]SequenceMultiple, error) {
	var out []SequenceMultiple
	cur := SequenceMultiple{}
	size := 6
	for i, s := range seqs {
		l := 2 + len(s) + len(s)&1
		if 6+l > maxCTODbg {
			return nil, fmt.Errorf("%w: sequence %d needs %d bytes, MAX_CTO_DBG is %d", ErrSequenceTooLong, i, 6+l, maxCTODbg)
		}
		if size+l > maxCTODbg {
			out = append(out, cur)
			cur, size = SequenceMultiple{}, 6
		}
		cur.Sequences = append(cur.Sequences, s)
		size += l
	}
	if len(cur.Sequences) > 0 || len(out) == 0 {
		out = append(out, cur)
	}
	out[0].Mode |= SeqBusInit | init&(SeqTMSInit|SeqTDIInit)
	out[len(out)-1].Mode |= SeqBusRelease
	return out, nil
}

// EndState returns the TAP state after the JPL sequences, starting in
// start and following the main TMS bits of every command (a repeat
// sequence must lead back to where its data command started, so it does
// not change the result).
func EndState(start TAPState, seqs [][]byte) (TAPState, error) {
	s := start
	for i, seq := range seqs {
		cmds, err := ParseJPL(seq)
		if err != nil {
			return s, fmt.Errorf("sequence %d: %w", i, err)
		}
		for _, c := range cmds {
			var tms Bits
			var n int
			switch c := c.(type) {
			case *JPLStep:
				tms, n = c.TMS, c.TMS.N
			case *JPLData:
				tms, n = c.TMS, c.N
			}
			for k := range n {
				s = s.Next(tms.Bit(k))
			}
		}
	}
	return s, nil
}
