package xcp

import (
	"bytes"
	"errors"
	"testing"
)

func TestCANTransportLayerGolden(t *testing.T) {
	moto := Format{Order: Motorola, AG: Byte, MaxCTO: 8, MaxDTO: 8}
	type codec interface {
		decoder
		Append([]byte, Format) []byte
	}
	for _, tc := range []struct {
		name  string
		f     Format
		v     codec
		empty func() codec
		hex   string
	}{
		{"GET_SLAVE_ID echo", intel, &GetSlaveID{}, func() codec { return &GetSlaveID{} }, "F2 FF 58 43 50 00"},
		{"GET_SLAVE_ID inverse", intel, &GetSlaveID{Inverse: true}, func() codec { return &GetSlaveID{} }, "F2 FF 58 43 50 01"},
		{"GET_SLAVE_ID response", intel, &GetSlaveIDResponse{CmdID: 0x7E0}, func() codec { return &GetSlaveIDResponse{} }, "FF 58 43 50 E0 07 00 00"},
		{"GET_SLAVE_ID inverse response motorola", moto, &GetSlaveIDResponse{Inverse: true, CmdID: 0x80012345}, func() codec { return &GetSlaveIDResponse{} }, "FF A7 BC AF 80 01 23 45"},
		{"GET_DAQ_ID", intel, &GetDaqID{List: 0x0102}, func() codec { return &GetDaqID{} }, "F2 FE 02 01"},
		{"GET_DAQ_ID response", intel, &GetDaqIDResponse{Fixed: true, ID: 0x701}, func() codec { return &GetDaqIDResponse{} }, "FF 01 00 00 01 07 00 00"},
		{"SET_DAQ_ID motorola", moto, &SetDaqID{List: 3, ID: 0x702}, func() codec { return &SetDaqID{} }, "F2 FD 00 03 00 00 07 02"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := unhex(t, tc.hex)
			got := tc.v.Append(nil, tc.f)
			if !bytes.Equal(got, want) {
				t.Fatalf("Append = % X, want % X", got, want)
			}
			d := tc.empty()
			if err := d.Decode(want, tc.f); err != nil {
				t.Fatal(err)
			}
			if again := d.Append(nil, tc.f); !bytes.Equal(again, want) {
				t.Fatalf("round trip = % X, want % X", again, want)
			}
		})
	}
}

func TestCANTransportLayerMalformed(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    decoder
		hex  string
	}{
		{"slave id short", &GetSlaveIDResponse{}, "FF 58 43 50 E0 07"},
		{"slave id bad echo", &GetSlaveIDResponse{}, "FF 58 43 51 E0 07 00 00"},
		{"slave id err pid", &GetSlaveIDResponse{}, "FE 58 43 50 E0 07 00 00"},
		{"slave id cmd mode 2", &GetSlaveID{}, "F2 FF 58 43 50 02"},
		{"slave id cmd wrong sub", &GetSlaveID{}, "F2 FE 58 43 50 00"},
		{"daq id fixed 7", &GetDaqIDResponse{}, "FF 07 00 00 01 07 00 00"},
		{"daq id short", &GetDaqIDResponse{}, "FF 01 00 00"},
		{"set daq id short", &SetDaqID{}, "F2 FD 00 03 00"},
	} {
		err := tc.d.Decode(unhex(t, tc.hex), intel)
		var fe *FormatError
		if err == nil || !(errors.Is(err, ErrMalformed) || errors.As(err, &fe)) {
			t.Errorf("%s: err = %v, want a malformed/format error", tc.name, err)
		}
	}
}

func FuzzCANTransportLayerDecoders(f *testing.F) {
	seedFuzz(f, "FF 58 43 50 E0 07 00 00", "FF A7 BC AF 80 01 23 45", "FF 01 00 00 01 07 00 00",
		"F2 FF 58 43 50 01", "F2 FE 02 01", "F2 FD 00 03 00 00 07 02", "FF 58 43")
	mk := []func() decoder{
		func() decoder { return &GetSlaveID{} }, func() decoder { return &GetSlaveIDResponse{} },
		func() decoder { return &GetDaqID{} }, func() decoder { return &GetDaqIDResponse{} },
		func() decoder { return &SetDaqID{} },
	}
	f.Fuzz(func(t *testing.T, sel byte, p []byte) { fuzzDecoders(t, sel, p, mk) })
}
