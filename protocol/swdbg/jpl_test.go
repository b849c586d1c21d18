package swdbg

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/goxcp/goxcp/protocol/xcp"
)

func TestJPLAppendixA(t *testing.T) {
	cases := []struct {
		name string
		cmd  JPLCommand
		wire string
	}{
		// Table 86.
		{"T86 step", &JPLStep{TDI: 0, TMS: BitsOf(14, 0x1803), Width: 2}, "03 00 02 0E 18 03"},
		// Table 87.
		{"T87 data", &JPLData{N: 8, Width: 1, TMS: BitsOf(8, 0x80), TDI: BitsOf(8, 0x48), TDO: BitsOf(8, 0x2A), Mask: BitsOf(8, 0x0F),
			Repeat: 0x0A, RepeatTDI: 0, RepeatTMS: BitsOf(4, 0x03), RepeatWidth: 1}, "04 01 08 80 48 2A 0F 0A 00 01 04 03"},
		// Table 69's command 0.
		{"T69 reset", &JPLStep{TMS: BitsOf(8, 0x7F), Width: 1}, "03 00 01 08 7F"},
		// Table 70's 10-bit IR scan.
		{"T70 IR 0x210", &JPLData{N: 10, Width: 2, TMS: BitsOf(10, 0x200), TDI: BitsOf(10, 0x210), TDO: BitsOf(10, 0), Mask: BitsOf(10, 0),
			RepeatTMS: BitsOf(0, 0), RepeatWidth: 1}, "04 02 0A 02 00 02 10 00 00 00 00 00 00 01 00 00"},
	}
	for _, c := range cases {
		got, err := EncodeJPL([]JPLCommand{c.cmd})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !bytes.Equal(got, h(c.wire)) {
			t.Fatalf("%s: got % X want %s", c.name, got, c.wire)
		}
		parsed, err := ParseJPL(h(c.wire))
		if err != nil || len(parsed) != 1 {
			t.Fatalf("%s: parse %v %d", c.name, err, len(parsed))
		}
		again, _ := EncodeJPL(parsed)
		if !bytes.Equal(again, got) {
			t.Fatalf("%s: re-encode % X", c.name, again)
		}
		switch p := parsed[0].(type) {
		case *JPLStep:
			if p.TMS.Uint64() != c.cmd.(*JPLStep).TMS.Uint64() || p.TMS.N != c.cmd.(*JPLStep).TMS.N {
				t.Fatalf("%s: TMS %v", c.name, p.TMS)
			}
		case *JPLData:
			w := c.cmd.(*JPLData)
			if p.N != w.N || p.TDI.Uint64() != w.TDI.Uint64() || p.Mask.Uint64() != w.Mask.Uint64() || p.RepeatTMS.Uint64() != w.RepeatTMS.Uint64() || p.Repeat != w.Repeat {
				t.Fatalf("%s: parsed %+v", c.name, p)
			}
		}
	}
}

// The builder reproduces the JPL of tables 69 and 70 exactly.
func TestBuilderTables69And70(t *testing.T) {
	b := NewJPLBuilder().ResetToIdle()
	seqs, err := b.Sequences()
	if err != nil {
		t.Fatal(err)
	}
	cmds, err := PackSequences(seqs, 0, 1456)
	if err != nil {
		t.Fatal(err)
	}
	if got := cmds[0].Append(nil, intel); !bytes.Equal(got, h("C0 FC 09 03 01 00 05 00 03 00 01 08 7F 00")) {
		t.Fatalf("table 69: % X", got)
	}

	b = NewJPLBuilder().GoTo(PauseDR).GoTo(RunTestIdle).
		ScanIR(BitsOf(6, 0x3E), RunTestIdle).ScanIR(BitsOf(6, 0x2A), RunTestIdle).ScanIR(BitsOf(10, 0x210), RunTestIdle).
		ScanDR(Bits{N: 192, V: make([]byte, 24)}, RunTestIdle, true)
	if b.State() != RunTestIdle {
		t.Fatalf("state %s", b.State())
	}
	seqs, err = b.Sequences()
	if err != nil {
		t.Fatal(err)
	}
	cmds, err = PackSequences(seqs, 0, 1456)
	if err != nil || len(cmds) != 1 {
		t.Fatalf("pack: %v, %d commands", err, len(cmds))
	}
	var want golden
	for _, g := range goldens() {
		if g.name == "T70 DBG_SEQUENCE_MULTIPLE" {
			want = g
		}
	}
	if got := cmds[0].Append(nil, intel); !bytes.Equal(got, h(want.wire)) {
		t.Fatalf("table 70:\n got % X\nwant % X", got, h(want.wire))
	}
}

func TestPackSequencesSplits(t *testing.T) {
	seq := h("03 00 01 08 7F") // 2+5+1 = 8 bytes each
	cmds, err := PackSequences([][]byte{seq, seq, seq}, SeqTMSInit, 6+16)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) != 2 || len(cmds[0].Sequences) != 2 || len(cmds[1].Sequences) != 1 {
		t.Fatalf("split %+v", cmds)
	}
	if cmds[0].Mode != SeqBusInit|SeqTMSInit || cmds[1].Mode != SeqBusRelease {
		t.Fatalf("modes %x %x", cmds[0].Mode, cmds[1].Mode)
	}
	for _, c := range cmds {
		if c.Len() > 22 || len(c.Append(nil, intel)) != c.Len() {
			t.Fatalf("len %d", c.Len())
		}
	}
	if _, err := PackSequences([][]byte{seq}, 0, 8); !errors.Is(err, ErrSequenceTooLong) {
		t.Fatalf("CAN-sized: %v", err)
	}
}

func TestTMSPathAllPairs(t *testing.T) {
	for from := range numTAPStates {
		for to := range numTAPStates {
			p := TMSPath(from, to)
			s := from
			for i := range p.N {
				s = s.Next(p.Bit(i))
			}
			if s != to {
				t.Fatalf("%s→%s: path %v ends in %s", from, to, p, s)
			}
			if p.N > 8 {
				t.Fatalf("%s→%s: path of %d bits is not shortest", from, to, p.N)
			}
		}
	}
	if p := TMSPath(RunTestIdle, ShiftIR); p.N != 4 || p.Uint64() != 0x3 {
		t.Fatalf("RTI→Shift-IR %v", p)
	}
	// From any state five TMS ones reach Test-Logic-Reset.
	for s := range numTAPStates {
		x := s
		for range 5 {
			x = x.Next(1)
		}
		if x != TestLogicReset {
			t.Fatalf("%s: 5×TMS=1 ends in %s", s, x)
		}
	}
}

func TestJPLFieldWidthRules(t *testing.T) {
	if _, err := EncodeJPL([]JPLCommand{&JPLStep{TMS: BitsOf(9, 0), Width: 1}}); err == nil {
		t.Fatal("9 bits in a 1-byte field accepted")
	}
	if _, err := EncodeJPL([]JPLCommand{&JPLStep{TMS: Bits{N: 256}}}); err == nil {
		t.Fatal("256 bits accepted")
	}
	if b, _ := EncodeJPL([]JPLCommand{&JPLStep{TMS: BitsOf(3, 5), Width: 3}}); !bytes.Equal(b, h("03 00 03 03 00 00 05")) {
		t.Fatalf("wide field % X", b)
	}
	for _, bad := range []string{"05", "03 00 01", "03 00 00 09", "04 01 08 00 00 00", "04 01 08 80 48 2A 0F 0A 00 01 09 03", "04 01 08 80 48 2A 0F 0A 00 02 04 03"} {
		_, err := ParseJPL(h(bad))
		var se *JPLSyntaxError
		if !errors.As(err, &se) || !errors.Is(err, xcp.ErrMalformed) {
			t.Fatalf("%s: err %v", bad, err)
		}
	}
	// Long shifts are split into 255-bit data commands.
	b := NewJPLBuilder().GoTo(ShiftDR).Shift(Bits{N: 600, V: make([]byte, 75)}, true, false)
	cmds, _ := b.Commands()
	if len(cmds) != 1 || len(cmds[0]) != 4 || cmds[0][2].Clocks() != 255 || cmds[0][3].Clocks() != 90 || b.State() != Exit1DR {
		t.Fatalf("split: %d sequences, state %s", len(cmds), b.State())
	}
}

func TestErrorsIsAs(t *testing.T) {
	f := motorola
	cases := []struct {
		cmd   Command
		wire  string
		is    []error
		check func(*Error) bool
	}{
		{CmdRead, "FE FC 00", []error{ErrBusError, xcp.ErrDbg}, nil},
		{CmdHWIOControl, "FE FC 01 05", []error{ErrHWIOControl, xcp.ErrDbg}, func(e *Error) bool { return e.Pin == 5 }},
		{CmdLLT, "FE FC 04 02 02", []error{ErrLLT}, func(e *Error) bool { return e.LLTIndex == 2 && e.LLTReason == LLTReasonTimeout }},
		{CmdSequenceMultiple, "FE FC 03 00 00 01 03 07 11 22 33 44", []error{ErrJPL}, func(e *Error) bool {
			return len(e.Results) == 1 && e.Results[0] == SeqResult{SeqRepeatExceeded, 7, 0x11223344}
		}},
		{CmdWrite, "FE FC 05", []error{ErrEWUnsupported}, nil},
		{CmdWrite, "FE FC 06", []error{ErrTRIUnsupported}, nil},
		{CmdGetModeInfo, "FE FC 07", []error{ErrAttachMissing, xcp.ErrDbg}, nil},
		{CmdHaltAfterReset, "FE FC 02", []error{ErrHaltAfterReset}, nil},
		{CmdWriteNext, "FE 29 00 10", []error{xcp.ErrSequence}, func(e *Error) bool { return e.Expected == 16 }},
		{CmdWriteCANNext, "FE 29 03", []error{xcp.ErrSequence}, func(e *Error) bool { return e.Expected == 3 }},
		{CmdReadCAN2, "FE 29", []error{xcp.ErrSequence}, func(e *Error) bool { return e.Expected == -1 }},
		{CmdRead, "FE 33", []error{xcp.ErrResourceTemporaryNotAccessible}, nil},
	}
	for _, c := range cases {
		r := ErrorResponse{Err: Error{Cmd: c.cmd}}
		if err := r.Decode(h(c.wire), f); err != nil {
			t.Fatalf("%s: %v", c.wire, err)
		}
		var err error = &r.Err
		for _, target := range c.is {
			if !errors.Is(err, target) {
				t.Errorf("%s: errors.Is(%v) false; err = %v", c.wire, target, err)
			}
		}
		if errors.Is(err, ErrBusError) && c.wire != "FE FC 00" {
			t.Errorf("%s: matches ERR_DBG_BUS_ERROR", c.wire)
		}
		var e *Error
		if !errors.As(err, &e) || (c.check != nil && !c.check(e)) {
			t.Errorf("%s: decoded %+v", c.wire, e)
		}
		if err.Error() == "" {
			t.Error("empty message")
		}
		// The same via a master's *xcp.Error.
		xe, _ := xcp.DecodeError(xcp.CmdLevel1, h(c.wire))
		if err2 := FromXCP(c.cmd, xe, f); !reflect.DeepEqual(err2, err) {
			t.Errorf("%s: FromXCP %#v", c.wire, err2)
		}
	}
	// Through the master's *xcp.Error, a malformed ERR_DBG still matches its
	// codes and reports the malformation.
	xe, _ := xcp.DecodeError(xcp.CmdLevel1, h("FE FC 01"))
	if err := FromXCP(CmdHWIOControl, xe, f); !errors.Is(err, ErrHWIOControl) || !errors.Is(err, xcp.ErrMalformed) || !errors.Is(err, xcp.ErrDbg) {
		t.Errorf("malformed ERR_DBG_HWIO_CONTROL via FromXCP: %v", err)
	}
	for _, bad := range []string{"FE FC", "FE FC 01", "FE FC 04 01", "FE FC 03 00 01", "FE FC 03 00 00 02 00 00 00 00 00 00"} {
		r := ErrorResponse{Err: Error{Cmd: CmdLLT}}
		if err := r.Decode(h(bad), f); !errors.Is(err, xcp.ErrMalformed) {
			t.Errorf("%s: err %v", bad, err)
		}
	}
}

func TestRH850(t *testing.T) {
	tri, err := RH850TRI(RH850ELB, 3)
	if err != nil || tri != 34 {
		t.Fatalf("ELB PE3 %d %v", tri, err)
	}
	if _, err := RH850TRI(RH850NT, 11); err == nil {
		t.Fatal("PE11 accepted")
	}
	if tri, _ := RH850TRI(RH850NT, 10); tri != 73 {
		t.Fatalf("NT PE10 = %d", tri)
	}
	r := RH850DebugReg{DCU: 1 << 9, Bank: 5, Reg: 0x12}
	a, err := r.Address()
	if err != nil || a != 1<<26|5<<12|0x12<<2 {
		t.Fatalf("addr 0x%X %v", a, err)
	}
	back, err := DecodeRH850DebugAddr(a)
	if err != nil || back != r {
		t.Fatalf("decode %+v %v", back, err)
	}
	j, _ := RH850DebugReg{JCU: true}.Address()
	if j != 1<<16 {
		t.Fatalf("JCU 0x%X", j)
	}
	for _, bad := range []uint64{1, 2, 1 << 27, 1 << 10, 1 << 40} {
		if _, err := DecodeRH850DebugAddr(bad); err == nil {
			t.Errorf("0x%X accepted", bad)
		}
	}
	if CheckRH850DebugAccess(TRIRH850DebugRegs, EWWord) == nil || CheckRH850DebugAccess(TRIRH850DebugRegs, EWDWord) != nil ||
		CheckRH850DebugAccess(TRIRH850AXI, EWByte) != nil {
		t.Fatal("EW = DWORD rule")
	}
}

func TestLimits(t *testing.T) {
	if MaxWriteElements(1456, EWDWord) != 360 || MaxWriteNextElements(1456, EWDWord) != 362 || MaxReadElements(1456, EWDWord) != 363 {
		t.Fatal("1456 limits")
	}
	if MaxWriteCANElements(8, EWByte) != 4 || MaxReadElements(8, EWByte) != 7 || MaxReadElements(8, EWDWord) != 1 {
		t.Fatal("CAN limits")
	}
	if MaxBlockWriteElements(64, 4, EWWord) != (4*56-8)/2 || MaxBlockWriteCANElements(8, 100, EWByte) != 255 {
		t.Fatal("block limits")
	}
	if ReadPackets(100, 32, EWDWord) != 15 || ReadPackets(7, 8, EWByte) != 1 {
		t.Fatal("read packets")
	}
}

// With a limit, a long scan spreads over sequences that each fit one
// DBG_SEQUENCE_MULTIPLE; PackSequences then never fails.
func TestBuilderLimit(t *testing.T) {
	for _, maxCTO := range []int{64, 200, 1456} {
		b := NewJPLBuilder().Limit(maxCTO).ResetToIdle().ScanDR(Bits{N: 5000, V: make([]byte, 625)}, RunTestIdle, false)
		cmds, err := b.Commands()
		if err != nil {
			t.Fatal(err)
		}
		bits := 0
		for _, seq := range cmds {
			for _, c := range seq {
				if d, ok := c.(*JPLData); ok {
					bits += d.N
				}
			}
		}
		if bits != 5000 || b.State() != RunTestIdle {
			t.Fatalf("CTO %d: %d bits shifted, state %s", maxCTO, bits, b.State())
		}
		seqs, _ := b.Sequences()
		packed, err := PackSequences(seqs, 0, maxCTO)
		if err != nil {
			t.Fatalf("CTO %d: %v", maxCTO, err)
		}
		for _, p := range packed {
			if p.Len() > maxCTO {
				t.Fatalf("CTO %d: command of %d bytes", maxCTO, p.Len())
			}
		}
	}
	if _, err := NewJPLBuilder().Limit(16).GoTo(ShiftDR).Shift(Bits{N: 255, V: make([]byte, 32)}, true, false).Sequences(); !errors.Is(err, ErrSequenceTooLong) {
		t.Fatalf("a command larger than the limit: %v", err)
	}
}

// Spot checks of table 57 against the standard's text.
func TestHandlingTable57(t *testing.T) {
	cases := []struct {
		cmd   Command
		cause Cause
		want  Rule
		ok    bool
	}{
		{CmdAttach, Cause{Code: xcp.ErrAccessLocked}, Rule{PreUnlock, ActRepeat2}, true},
		{CmdAttach, Cause{xcp.ErrDbg, ErrAttachMissing}, Rule{}, false},
		{CmdGetJTAGID, Cause{Code: xcp.ErrResourceTemporaryNotAccessible}, Rule{PreNone, ActRepeat}, true},
		{CmdLLT, Cause{Code: xcp.ErrResourceTemporaryNotAccessible}, Rule{PreReadPins, ActRepeatWhenAccessible}, true},
		{CmdWriteNext, Cause{Code: xcp.ErrResourceTemporaryNotAccessible}, Rule{PreReadPins, ActRestartWhenAccessible}, true},
		{CmdWriteNext, Cause{Code: xcp.ErrSequence}, Rule{PreRestart, ActRepeat2}, true},
		{CmdWriteCAN2, Cause{Code: xcp.ErrResourceTemporaryNotAccessible}, Rule{}, false},
		{CmdReadCAN2, Cause{Code: xcp.ErrSequence}, Rule{PreRestart, ActRepeat2}, true},
		{CmdSetHWIOEvent, Cause{Code: xcp.ErrGeneric}, Rule{PreNone, ActRetryParams}, true},
		{CmdWrite, Cause{Code: xcp.ErrMemoryOverflow}, Rule{PreNone, ActDisplay}, true},
		{CmdHWIOControl, Cause{xcp.ErrDbg, ErrHWIOControl}, Rule{PreDisplay, ActToolSpecific}, true},
		{CmdRead, Cause{Code: xcp.Timeout}, Rule{PreSynch, ActRepeat2}, true},
		{CmdReadCAN1, Cause{Code: xcp.ErrCmdBusy}, Rule{PreWaitT7, ActRepeatInf}, true},
	}
	for _, c := range cases {
		r, ok := Handling(c.cmd, c.cause)
		if ok != c.ok || r != c.want {
			t.Errorf("%s / %s: %v %v, want %v %v", c.cmd, c.cause, r, ok, c.want, c.ok)
		}
	}
	rows := Table57()
	if len(rows) != 125 {
		t.Fatalf("%d rows", len(rows))
	}
	perCmd := map[Command]int{}
	for _, r := range rows {
		perCmd[r.Cmd]++
		if r.Cmd != CmdAttach && r.Cause == (Cause{Code: xcp.Timeout}) && r.Rule != (Rule{PreSynch, ActRepeat2}) {
			t.Errorf("%s timeout rule %v", r.Cmd, r.Rule)
		}
	}
	for c := Command(0); c < numCommands; c++ {
		if perCmd[c] < 3 {
			t.Errorf("%s has %d rows", c, perCmd[c])
		}
	}
}

// The builder produces the data command of table 87.
func TestShiftCompareTable87(t *testing.T) {
	b := NewJPLBuilder().GoTo(ShiftDR)
	b.ShiftCompare(BitsOf(8, 0x48), BitsOf(8, 0x2A), BitsOf(8, 0x0F), true, 10, BitsOf(4, 0x03))
	cmds, err := b.Commands()
	if err != nil {
		t.Fatal(err)
	}
	enc, err := EncodeJPL(cmds[0][1:])
	if err != nil || !bytes.Equal(enc, h("04 01 08 80 48 2A 0F 0A 00 01 04 03")) {
		t.Fatalf("% X %v", enc, err)
	}
	if b.State() != Exit1DR {
		t.Fatalf("state %s", b.State())
	}
	if _, err := NewJPLBuilder().ShiftCompare(BitsOf(8, 0), BitsOf(8, 0), BitsOf(8, 0), false, 0, Bits{}).Sequences(); err == nil {
		t.Fatal("compare outside a shift state accepted")
	}
}

func TestEndState(t *testing.T) {
	for _, c := range []struct {
		seqs []string
		want TAPState
	}{
		{[]string{"03 00 01 08 7F"}, RunTestIdle},
		{[]string{t70Seq0, t70Shift32, t70Shift32, t70Shift32, t70Shift32, t70Seq5}, RunTestIdle},
		{[]string{t70Seq0}, ShiftDR},
		{[]string{"03 00 01 04 03"}, ShiftIR},
	} {
		var seqs [][]byte
		for _, s := range c.seqs {
			seqs = append(seqs, h(s))
		}
		got, err := EndState(RunTestIdle, seqs)
		if err != nil || got != c.want {
			t.Fatalf("%v: %s %v, want %s", c.seqs, got, err, c.want)
		}
	}
	if _, err := EndState(RunTestIdle, [][]byte{h("05")}); err == nil {
		t.Fatal("bad JPL accepted")
	}
}
