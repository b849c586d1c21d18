package swdbg

import (
	"reflect"
	"testing"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// decoders returns one fresh value of every packet type, with the context
// fields a decoder needs set to w.
func decoders(w ElementWidth) []decoder {
	return []decoder{
		&Attach{}, &AttachResponse{}, &GetVendorInfo{}, &GetVendorInfoResponse{}, &GetModeInfo{}, &GetModeInfoResponse{},
		&GetJTAGID{}, &GetJTAGIDResponse{}, &HaltAfterReset{}, &GetHWIOInfo{}, &GetHWIOInfoResponse{}, &SetHWIOEvent{},
		&HWIOControl{}, &HWIOControlResponse{}, &ExclusiveAccess{}, &SequenceMultiple{}, &SequenceMultipleResponse{},
		&LLT{}, &LLTResponse{}, &ReadModifyWrite{}, &ReadModifyWriteResponse{EW: w}, &Write{}, &WriteNext{EW: w},
		&WriteCAN1{}, &WriteCAN2{}, &WriteCANNext{EW: w}, &Read{}, &ReadResponse{EW: w}, &ReadCAN1{}, &ReadCAN2{},
		&Ack{}, &Event{}, &ErrorResponse{Err: Error{Cmd: Command(w) % numCommands}},
	}
}

func addSeeds(f *testing.F) {
	for _, g := range goldens() {
		f.Add(h(g.wire), uint8(g.f.Order), uint8(4))
	}
	f.Add([]byte{}, uint8(0), uint8(1))
	f.Add(h("C0 FC 09 00 FF FF"), uint8(1), uint8(2))
}

// FuzzDecoders feeds every SW-DBG decoder arbitrary bytes: no decoder may
// panic, and what decodes must re-encode to a packet that decodes to the
// same value.
func FuzzDecoders(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, p []byte, order, ew uint8) {
		fm := xcp.Format{Order: xcp.ByteOrder(order & 1)}
		w := ElementWidth(1 << (ew % 4))
		for _, d := range decoders(w) {
			if err := d.Decode(p, fm); err != nil {
				continue
			}
			enc, ok := d.(packet)
			if !ok {
				continue
			}
			again := enc.Append(nil, fm)
			d2 := reflect.New(reflect.TypeOf(d).Elem())
			for _, fresh := range decoders(w) {
				if reflect.TypeOf(fresh) == reflect.TypeOf(d) {
					d2.Elem().Set(reflect.ValueOf(fresh).Elem())
				}
			}
			if err := d2.Interface().(decoder).Decode(again, fm); err != nil {
				t.Fatalf("%T: % X decoded, re-encoded as % X which fails: %v", d, p, again, err)
			}
		}
	})
}

// FuzzJPL parses arbitrary JPL: no panic, and a parsed sequence re-encodes
// to exactly the input.
func FuzzJPL(f *testing.F) {
	for _, s := range []string{t70Seq0, t70Seq5, t71Seq0, t71Seq1, "03 00 02 0E 18 03", "04 01 08 80 48 2A 0F 0A 00 01 04 03"} {
		f.Add(h(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		cmds, err := ParseJPL(p)
		if err != nil {
			return
		}
		again, err := EncodeJPL(cmds)
		if err != nil {
			t.Fatalf("% X parsed but does not encode: %v", p, err)
		}
		if string(again) != string(p) {
			t.Fatalf("round trip:\n in % X\nout % X", p, again)
		}
	})
}

// FuzzErrors decodes arbitrary ERR packets for every command.
func FuzzErrors(f *testing.F) {
	for _, s := range []string{"FE FC 03 00 02 00 00 00 00 00 00 00 04 00 00 00 00 00", "FE FC 04 02 02", "FE 29 00 10", "FE FC 01 03"} {
		f.Add(h(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, p []byte, cmd uint8) {
		r := ErrorResponse{Err: Error{Cmd: Command(cmd % numCommands)}}
		if err := r.Decode(p, xcp.Format{}); err != nil {
			return
		}
		_ = r.Err.Error()
		again := r.Append(nil, xcp.Format{})
		r2 := ErrorResponse{Err: Error{Cmd: r.Err.Cmd}}
		if err := r2.Decode(again, xcp.Format{}); err != nil {
			t.Fatalf("% X → % X: %v", p, again, err)
		}
	})
}

// FuzzParseText: the parsers of HW-IO pin settings, pin events and
// telegrams (text from the command line) never panic, whatever they get.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{"", "3=1", "3=high", "2:rising", "5:both", "01 02 ff", "zz", "1=", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ParsePinControl(s)
		ParsePinEvent(s)
		ParseTelegram(s)
	})
}
