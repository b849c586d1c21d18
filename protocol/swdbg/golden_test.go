package swdbg

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// h parses space-separated hex bytes as printed in the seed's tables.
func h(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

var (
	intel    = xcp.Format{Order: xcp.Intel}
	motorola = xcp.Format{Order: xcp.Motorola}
)

type packet interface {
	Append(b []byte, f xcp.Format) []byte
}

type decoder interface {
	Decode(p []byte, f xcp.Format) error
}

// golden is one packet of a seed example: the value, the format and the
// exact bytes. dec is a fresh value to decode into (pre-set with the
// context a decoder needs, e.g. EW); it must equal v afterwards.
type golden struct {
	name string
	f    xcp.Format
	v    packet
	dec  decoder
	wire string
}

// Table 70: sequences 1..4 are printed abbreviated in the seed ("04 04 20
// 01 00 00"); the parameter column and the length 0x18 give the 24 bytes.
const (
	t70Shift32     = "04 04 20 00000000 00000000 00000000 00000000 00 00 01 00 00"
	t70Shift32Exit = "04 04 20 80000000 00000000 00000000 00000000 00 00 01 00 00"
	t70Seq0        = "03 00 01 04 05  03 00 01 03 03  03 00 01 04 03  04 01 06 20 3E 00 00 00 00 01 00 00" +
		" 03 00 01 02 01  03 00 01 04 03  04 01 06 20 2A 00 00 00 00 01 00 00  03 00 01 02 01" +
		" 03 00 01 04 03  04 02 0A 02 00 02 10 00 00 00 00 00 00 01 00 00  03 00 01 02 01" +
		" 03 00 01 03 01 " + t70Shift32
	t70Seq5 = t70Shift32Exit + " 03 00 01 02 01"
	// Table 71 sequence 1: the data command is printed with 23 bytes; the
	// length 0x22 (34 = 5 + 24 + 5) shows one zero byte is missing.
	t71Seq0 = "03 00 01 04 03  04 01 08 80 55 00 00 00 00 01 00 00  03 00 01 02 01"
	t71Seq1 = "03 00 01 03 01  04 04 20 00 00 00 00 CA FE BE EF 00 00 00 00 00 00 00 00 00 00 01 00 00  03 00 01 02 01"
)

func goldens() []golden {
	return []golden{
		// Table 63 (Intel): the base-standard session set-up that precedes SW-DBG.
		{"T63 CONNECT", intel, xcp.Connect{Mode: xcp.ConnectNormal}, &xcp.Connect{}, "FF 00"},
		{"T63 CONNECT response", intel, xcp.ConnectResponse{Resource: 0x35, CommModeBasic: 0xC0, MaxCTO: 8, MaxDTO: 8,
			ProtocolVersion: 0x10, TransportVersion: 0x10}, &xcp.ConnectResponse{}, "FF 35 C0 08 08 00 10 10"},
		{"T63 GET_COMM_MODE_INFO", intel, xcp.GetCommModeInfo{}, &xcp.GetCommModeInfo{}, "FB"},
		{"T63 GET_COMM_MODE_INFO response", intel, xcp.GetCommModeInfoResponse{CommModeOptional: xcp.CommModeMasterBlockMode,
			MaxBS: 2, MinST: 0, QueueSize: 0, DriverVersion: 0x64}, &xcp.GetCommModeInfoResponse{}, "FF 00 01 00 02 00 00 64"},
		{"T63 GET_STATUS", intel, xcp.GetStatus{}, &xcp.GetStatus{}, "FD"},
		{"T63 GET_STATUS response", intel, xcp.GetStatusResponse{Session: 0, Protection: 0x35, StateNumber: 1, SessionConfigID: 0},
			&xcp.GetStatusResponse{}, "FF 00 35 01 00 00"},
		// Table 64 (Motorola).
		{"T64 DBG_ATTACH", motorola, Attach{}, &Attach{}, "C0 FC 00"},
		{"T64 response", motorola, AttachResponse{Major: 1, Minor: 0, T1: 0xFF, T7: 0xFF, MaxCTODbg: 1456}, &AttachResponse{}, "FF 01 00 FF FF 00 05 B0"},
		// Table 65.
		{"T65 DBG_GET_MODE_INFO", motorola, GetModeInfo{}, &GetModeInfo{}, "C0 FC 02"},
		{"T65 response", motorola, GetModeInfoResponse{MaxHWIOPins: 2, Dialect: DialectJTAG, Feature: 0, ServiceLevel: ServiceExclusive}, &GetModeInfoResponse{}, "FF 00 02 01 00 01"},
		// Table 66 (Motorola).
		{"T66 DBG_GET_JTAG_ID", motorola, GetJTAGID{}, &GetJTAGID{}, "C0 FC 03"},
		{"T66 response", motorola, GetJTAGIDResponse{ID: 0x00112041}, &GetJTAGIDResponse{}, "FF 00 00 00 00 11 20 41"},
		// Table 67.
		{"T67 DBG_GET_HWIO_INFO", motorola, GetHWIOInfo{Index: 0}, &GetHWIOInfo{}, "C0 FC 05 00"},
		{"T67 response", motorola, GetHWIOInfoResponse{Pins: []PinInfo{
			{0, PinInput | PinOutput, ClassPORST, ActiveLow},
			{1, PinInput | PinOutput, ClassSecondaryRst, ActiveLow},
			{2, PinOutput, ClassWatchdogOff, ActiveClock}}}, &GetHWIOInfoResponse{},
			"FF 03 00 03 01 01 01 03 02 01 02 02 04 03"},
		// Table 68 (Motorola).
		{"T68 DBG_HWIO_CONTROL", motorola, HWIOControl{Pins: []PinControl{{0, StateLow, 0}, {2, StateClock, 1}}}, &HWIOControl{},
			"C0 FC 07 02 00 00 00 00 02 04 00 01"},
		{"T68 response", motorola, HWIOControlResponse{States: []PinState{StateLow, StateClock}}, &HWIOControlResponse{}, "FF 00 04"},
		// Table 69 (Intel).
		{"T69 DBG_SEQUENCE_MULTIPLE", intel, SequenceMultiple{Mode: SeqBusInit | SeqBusRelease, Sequences: [][]byte{h("03 00 01 08 7F")}},
			&SequenceMultiple{}, "C0 FC 09 03 01 00  05 00  03 00 01 08 7F  00"},
		{"T69 response", intel, SequenceMultipleResponse{Results: []SeqResult{{SeqOK, 0, 0}}}, &SequenceMultipleResponse{}, "FF 00 01 00 00 00 00 00 00 00"},
		// Table 70 (Intel).
		{"T70 DBG_SEQUENCE_MULTIPLE", intel, SequenceMultiple{Mode: 3, Sequences: [][]byte{h(t70Seq0), h(t70Shift32), h(t70Shift32), h(t70Shift32), h(t70Shift32), h(t70Seq5)}},
			&SequenceMultiple{}, "C0 FC 09 03 06 00  6D 00 " + t70Seq0 + " 00  18 00 " + t70Shift32 + " 18 00 " + t70Shift32 +
				" 18 00 " + t70Shift32 + " 18 00 " + t70Shift32 + " 1D 00 " + t70Seq5 + " 00"},
		{"T70 response", intel, SequenceMultipleResponse{Results: []SeqResult{{0, 0, 0x090BC6DC}, {0, 0, 0}, {0, 0, 0x00009200},
			{0, 0, 0x090BC708}, {0, 0, 0x44004400}, {0, 0, 0x00000002}}}, &SequenceMultipleResponse{},
			"FF 00 06 00  00 00 09 0B C6 DC  00 00 00 00 00 00  00 00 00 00 92 00  00 00 09 0B C7 08  00 00 44 00 44 00  00 00 00 00 00 02"},
		// Table 71 (Intel).
		{"T71 DBG_SEQUENCE_MULTIPLE", intel, SequenceMultiple{Mode: 3, Sequences: [][]byte{h(t71Seq0), h(t71Seq1)}}, &SequenceMultiple{},
			"C0 FC 09 03 02 00  16 00 " + t71Seq0 + "  22 00 " + t71Seq1},
		{"T71 negative response", intel, ErrorResponse{Err: Error{Cmd: CmdSequenceMultiple, Code: xcp.ErrDbg, Dbg: ErrJPL, Expected: -1,
			Data:    h("03 00 02 00 00 00 00 00 00 00 04 00 00 00 00 00"),
			Results: []SeqResult{{SeqOK, 0, 0}, {SeqInterfaceError, 0, 0}}}}, &ErrorResponse{Err: Error{Cmd: CmdSequenceMultiple}},
			"FE FC 03 00 02 00  00 00 00 00 00 00  04 00 00 00 00 00"},
		// Tables 72/73.
		{"T73 DBG_LLT", intel, LLT{Mode: 0, Telegrams: []Telegram{{RespBits: 0, Cmd: 0x0B, Bits: 0, Data: []byte{}}}}, &LLT{}, "C0 FC 0A 01 00  00 0B 00"},
		{"T73 response", intel, LLTResponse{Telegrams: []TelegramResponse{{0, []byte{}}}}, &LLTResponse{}, "FF 01 00"},
		// Tables 74/75.
		{"T75 DBG_LLT", intel, LLT{Telegrams: []Telegram{NewTelegram(0x1C, 3, 0x1, 0), NewTelegram(0x1A, 7, 0x4B, 16)}}, &LLT{},
			"C0 FC 0A 02 00  00 1C 03 01  10 1A 07 4B"},
		{"T75 response", intel, LLTResponse{Telegrams: []TelegramResponse{{0, []byte{}}, {16, []byte{0x20, 0x00}}}}, &LLTResponse{}, "FF 02 00 10 20 00"},
		// Tables 76/77: the seed prints DATA 0x123456781 but the packet bytes
		// 81 67 45 32 01 (0x132456781); the packet bytes are reproduced.
		{"T77 DBG_LLT", intel, LLT{Telegrams: []Telegram{NewTelegram(0x1C, 3, 0x1, 0), {RespBits: 0, Cmd: 0x08, Bits: 36, Data: h("81 67 45 32 01")}}}, &LLT{},
			"C0 FC 0A 02 00  00 1C 03 01  00 08 24 81 67 45 32 01"},
		{"T77 negative response", intel, ErrorResponse{Err: Error{Cmd: CmdLLT, Code: xcp.ErrDbg, Dbg: ErrLLT, LLTIndex: 2, LLTReason: LLTReasonTimeout,
			Expected: -1, Data: h("04 02 02")}}, &ErrorResponse{Err: Error{Cmd: CmdLLT}}, "FE FC 04 02 02"},
		// Tables 78/79.
		{"T79 DBG_LLT", intel, LLT{Mode: LLTSingleLane, Telegrams: []Telegram{NewTelegram(0x02, 8, 0x00, 8)}}, &LLT{}, "C0 FC 0A 01 01  08 02 08 00"},
		{"T79 response", intel, LLTResponse{Telegrams: []TelegramResponse{{8, []byte{0}}}}, &LLTResponse{}, "FF 01 08 00"},
		// Table 80 (Motorola).
		{"T80 DBG_READ", motorola, Read{TRI: 1, EW: EWDWord, N: 1, Addr: 0x70000000}, &Read{}, "C0 FC 11 00 01 04 00 01 00 00 00 00 70 00 00 00"},
		{"T80 response", motorola, ReadResponse{EW: EWDWord, Data: h("01 02 03 04")}, &ReadResponse{EW: EWDWord}, "FF 00 00 00 01 02 03 04"},
		// Table 81 (Motorola).
		{"T81 DBG_READ_CAN1", motorola, ReadCAN1{TRI: 1, Addr: 0x70000000}, &ReadCAN1{}, "C0 FC 12 01 70 00 00 00"},
		{"T81 DBG_READ_CAN1 response", motorola, Ack{}, &Ack{}, "FF"},
		{"T81 DBG_READ_CAN2", motorola, ReadCAN2{EW: EWByte, N: 4}, &ReadCAN2{}, "C0 FC 13 01 04"},
		{"T81 DBG_READ_CAN2 response", motorola, ReadResponse{EW: EWByte, Data: h("01 02 03 04")}, &ReadResponse{EW: EWByte}, "FF 01 02 03 04"},
		// Table 82 (Motorola).
		{"T82 DBG_WRITE", motorola, Write{TRI: 1, EW: EWDWord, N: 1, Addr: 0x70000000, Data: h("01 02 03 04")}, &Write{},
			"C0 FC 0C 00 01 04 00 01 00 00 00 00 70 00 00 00 01 02 03 04"},
		{"T82 response", motorola, Ack{}, &Ack{}, "FF"},
		// ERR_SEQUENCE with the expected count (tables 45, 49).
		{"T45 Intel", intel, ErrorResponse{Err: Error{Cmd: CmdWriteNext, Code: xcp.ErrSequence, Expected: 0x0102, Data: h("02 01")}}, &ErrorResponse{Err: Error{Cmd: CmdWriteNext}}, "FE 29 02 01"},
		{"T45 Motorola", motorola, ErrorResponse{Err: Error{Cmd: CmdWriteNext, Code: xcp.ErrSequence, Expected: 0x0102, Data: h("01 02")}}, &ErrorResponse{Err: Error{Cmd: CmdWriteNext}}, "FE 29 01 02"},
		{"T49", motorola, ErrorResponse{Err: Error{Cmd: CmdWriteCAN2, Code: xcp.ErrSequence, Expected: 3, Data: h("03")}}, &ErrorResponse{Err: Error{Cmd: CmdWriteCAN2}}, "FE 29 03"},
		{"T21", motorola, ErrorResponse{Err: Error{Cmd: CmdHaltAfterReset, Code: xcp.ErrDbg, Dbg: ErrHaltAfterReset, Expected: -1, Data: h("02")}}, &ErrorResponse{Err: Error{Cmd: CmdHaltAfterReset}}, "FE FC 02"},
		{"T28", motorola, ErrorResponse{Err: Error{Cmd: CmdHWIOControl, Code: xcp.ErrDbg, Dbg: ErrHWIOControl, Pin: 2, Expected: -1, Data: h("01 02")}}, &ErrorResponse{Err: Error{Cmd: CmdHWIOControl}}, "FE FC 01 02"},
		{"EV_DBG_SERVICE_LEVEL_CHANGE", motorola, Event{Code: EvServiceLevelChange, ServiceLevel: ServiceLow}, &Event{}, "FD FC 00 03"},
		{"EV_DBG_HWIO_CHANGE", motorola, Event{Code: EvHWIOChange, Pin: 1, High: true}, &Event{}, "FD FC 01 01 01"},
		// Table 83 (Motorola).
		{"T83 DBG_WRITE_CAN1", motorola, WriteCAN1{TRI: 1, Addr: 0x70000000}, &WriteCAN1{}, "C0 FC 0E 01 70 00 00 00"},
		{"T83 DBG_WRITE_CAN2", motorola, WriteCAN2{EW: EWByte, N: 4}, &WriteCAN2{}, "C0 FC 0F 01 04"},
		{"T83 DBG_WRITE_CAN_NEXT", motorola, WriteCANNext{EW: EWByte, Remaining: 4, Data: h("01 02 03 04")}, &WriteCANNext{EW: EWByte}, "C0 FC 10 04 01 02 03 04"},
	}
}

func TestSeedExamples(t *testing.T) {
	for _, g := range goldens() {
		t.Run(g.name, func(t *testing.T) {
			want := h(g.wire)
			got := g.v.Append(nil, g.f)
			if !bytes.Equal(got, want) {
				t.Fatalf("encode:\n got % X\nwant % X", got, want)
			}
			if err := g.dec.Decode(want, g.f); err != nil {
				t.Fatalf("decode: %v", err)
			}
			dv := reflect.ValueOf(g.dec).Elem().Interface()
			if !reflect.DeepEqual(dv, g.v) {
				t.Fatalf("decode:\n got %#v\nwant %#v", dv, g.v)
			}
		})
	}
}

// The seed prints the table-64 response as "FF 01 00 FF FF 05 B0", 7
// bytes without the reserved byte 5 of table 9. The encoder follows table 9
// (see goldens); the decoder also accepts the printed form.
func TestAttachPrintedForm(t *testing.T) {
	var r AttachResponse
	if err := r.Decode(h("FF 01 00 FF FF 05 B0"), motorola); err != nil {
		t.Fatal(err)
	}
	if r != (AttachResponse{Major: 1, Minor: 0, T1: 0xFF, T7: 0xFF, MaxCTODbg: 1456}) {
		t.Fatalf("got %+v", r)
	}
	if r.T1Duration().Milliseconds() != 510 || r.T7Duration().Milliseconds() != 510 {
		t.Fatalf("t1/t7 %v %v, want 510 ms", r.T1Duration(), r.T7Duration())
	}
}

// The seed prints table 69 with a sequence length of 6 for the 5-byte
// JPL command "03 00 01 08 7F" and no padding byte; the goldens use the
// consistent form (length 5 + padding, as table 70 does). The printed
// packet is truncated by its own length field and must be rejected.
func TestTable69PrintedForm(t *testing.T) {
	var c SequenceMultiple
	err := c.Decode(h("C0 FC 09 03 01 00 06 00 03 00 01 08 7F"), intel)
	if !errors.Is(err, xcp.ErrMalformed) {
		t.Fatalf("err %v, want ErrMalformed", err)
	}
}

func TestBothByteOrders(t *testing.T) {
	cases := []struct {
		v         packet
		dec       decoder
		intel, mo string
	}{
		{AttachResponse{Major: 1, T1: 10, T7: 20, MaxCTODbg: 0x1234}, &AttachResponse{}, "FF 01 00 0A 14 00 34 12", "FF 01 00 0A 14 00 12 34"},
		{GetJTAGIDResponse{ID: 0x00112041}, &GetJTAGIDResponse{}, "FF 00 00 00 41 20 11 00", "FF 00 00 00 00 11 20 41"},
		{Read{TRI: 1, EW: EWDWord, N: 1, Addr: 0x70000000}, &Read{}, "C0 FC 11 00 01 04 01 00 00 00 00 70 00 00 00 00", "C0 FC 11 00 01 04 00 01 00 00 00 00 70 00 00 00"},
		{ReadModifyWrite{TRI: 2, EW: EWWord, Addr: 0x10, Mask: 0x00FF, Data: 0x1234}, &ReadModifyWrite{},
			"C0 FC 0B 00 02 02 00 00 10 00 00 00 00 00 00 00 FF 00 34 12", "C0 FC 0B 00 02 02 00 00 00 00 00 00 00 00 00 10 00 FF 12 34"},
		{ReadModifyWriteResponse{EW: EWDWord, Value: 0xA1B2C3D4}, &ReadModifyWriteResponse{EW: EWDWord}, "FF 00 00 00 D4 C3 B2 A1", "FF 00 00 00 A1 B2 C3 D4"},
		{WriteNext{EW: EWWord, Remaining: 2, Data: h("11 22 33 44")}, &WriteNext{EW: EWWord}, "C0 FC 0D 00 02 00 00 00 11 22 33 44", "C0 FC 0D 00 00 02 00 00 11 22 33 44"},
		{GetVendorInfoResponse{Vendor: 0x0102, Info: []byte("ab")}, &GetVendorInfoResponse{}, "FF 02 02 01 61 62", "FF 02 01 02 61 62"},
		{HWIOControl{Pins: []PinControl{{2, StateClock, 1000}}}, &HWIOControl{}, "C0 FC 07 01 02 04 E8 03", "C0 FC 07 01 02 04 03 E8"},
		{SequenceMultipleResponse{Results: []SeqResult{{0, 1, 0x01020304}}}, &SequenceMultipleResponse{}, "FF 00 01 00 00 01 01 02 03 04", "FF 00 00 01 00 01 01 02 03 04"},
	}
	for _, c := range cases {
		for _, o := range []struct {
			f    xcp.Format
			wire string
		}{{intel, c.intel}, {motorola, c.mo}} {
			got := c.v.Append(nil, o.f)
			if !bytes.Equal(got, h(o.wire)) {
				t.Errorf("%T %s: got % X want %s", c.v, o.f.Order, got, o.wire)
				continue
			}
			d := reflect.New(reflect.TypeOf(c.dec).Elem())
			d.Elem().Set(reflect.ValueOf(c.dec).Elem())
			if err := d.Interface().(decoder).Decode(got, o.f); err != nil {
				t.Errorf("%T %s decode: %v", c.v, o.f.Order, err)
				continue
			}
			if !reflect.DeepEqual(d.Elem().Interface(), c.v) {
				t.Errorf("%T %s decode: got %#v want %#v", c.v, o.f.Order, d.Elem().Interface(), c.v)
			}
		}
	}
}
