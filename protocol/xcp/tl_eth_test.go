package xcp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func hexb(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Golden bytes of the XCP-on-Ethernet slave detection packets (layout as
// pyXCP's xcp-discovery and XCPlite use it).
func TestEthDiscoveryCodecs(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	f := Format{Order: Motorola} // ignored: always Intel
	for _, tc := range []struct {
		name string
		v    interface {
			Append([]byte, Format) []byte
		}
		dec  func() interface{ Decode([]byte, Format) error }
		want string
	}{
		{"GET_SLAVE_ID", EthGetSlaveID{ResponsePort: 0x15B4, ResponseAddr: lo},
			func() interface{ Decode([]byte, Format) error } { return &EthGetSlaveID{} },
			"F2 FF B4 15 7F000001 000000000000000000000000 00"},
		{"GET_SLAVE_ID_EXTENDED", EthGetSlaveID{Extended: true, ResponsePort: 5556, ResponseAddr: netip.MustParseAddr("239.255.2.1")},
			func() interface{ Decode([]byte, Format) error } { return &EthGetSlaveID{} },
			"F2 FD B4 15 EFFF0201 000000000000000000000000 00"},
		{"GET_SLAVE_ID answer", EthGetSlaveIDResponse{Addr: lo, Port: 5555, Status: EthStatusExtSupported | EthStatusBusy, Resource: ResDaq | ResPgm, ID: []byte("sim")},
			func() interface{ Decode([]byte, Format) error } { return &EthGetSlaveIDResponse{} },
			"7F000001 000000000000000000000000 B315 18 14 03000000 73696D"},
		{"GET_SLAVE_ID_EXTENDED answer", EthGetSlaveIDResponse{Extended: true, Addr: lo, Port: 5555, Status: 1, Resource: ResCalPag, ID: []byte("ab"), MAC: [6]byte{2, 0, 0, 0, 0, 1}},
			func() interface{ Decode([]byte, Format) error } { return &EthGetSlaveIDResponse{Extended: true} },
			"FF FD 7F000001 000000000000000000000000 B315 01 01 02000000 6162 020000000001"},
		{"SET_SLAVE_IP_ADDRESS", EthSetSlaveIPAddress{ResponsePort: 5556, ResponseAddr: lo, MAC: [6]byte{2, 0, 0, 0, 0, 1}, IP: netip.MustParseAddr("192.168.0.7")},
			func() interface{ Decode([]byte, Format) error } { return &EthSetSlaveIPAddress{} },
			"F2 FC B4 15 7F000001 000000000000000000000000 00 020000000001 C0A80007"},
		{"SET_SLAVE_IP_ADDRESS answer", EthSetSlaveIPAddressResponse{Status: 0, MAC: [6]byte{2, 0, 0, 0, 0, 1}},
			func() interface{ Decode([]byte, Format) error } { return &EthSetSlaveIPAddressResponse{} },
			"FF FC 00 020000000001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.v.Append(nil, f)
			if want := hexb(t, tc.want); !bytes.Equal(got, want) {
				t.Fatalf("got  % X\nwant % X", got, want)
			}
			d := tc.dec()
			if err := d.Decode(got, f); err != nil {
				t.Fatal(err)
			}
			if back := reflect.ValueOf(d).Elem().Interface(); !reflect.DeepEqual(back, tc.v) {
				t.Errorf("decoded %+v, want %+v", back, tc.v)
			}
			for n := range len(got) - 1 {
				if err := tc.dec().Decode(got[:n], f); err == nil {
					t.Errorf("truncated to %d bytes: no error", n)
				}
			}
		})
	}
	var r EthGetSlaveIDResponse
	if err := r.Decode(hexb(t, "7F000001 000000000000000000000000 B315 00 00 05000000 6162"), f); !errors.Is(err, ErrMalformed) {
		t.Errorf("short identification: %v", err)
	}
	if err := (&EthGetSlaveID{}).Decode(hexb(t, "F2 FE B4 15 7F000001 000000000000000000000000 00"), f); !errors.Is(err, ErrMalformed) {
		t.Errorf("bad sub-command: %v", err)
	}
}

func FuzzEthDiscovery(f *testing.F) {
	f.Add([]byte{0xFF, 0xFD, 1, 2, 3, 4}, uint8(0))
	f.Add(append(make([]byte, 20), 0xFF, 0xFF, 0xFF, 0xFF), uint8(1))
	f.Add(make([]byte, 31), uint8(2))
	f.Fuzz(func(t *testing.T, p []byte, which uint8) {
		var fm Format
		switch which % 4 {
		case 0:
			r := EthGetSlaveIDResponse{Extended: true}
			if r.Decode(p, fm) == nil && len(r.ID) > len(p) {
				t.Fatal("identification longer than the packet")
			}
		case 1:
			r := EthGetSlaveIDResponse{}
			_ = r.Decode(p, fm)
		case 2:
			var c EthSetSlaveIPAddress
			_ = c.Decode(p, fm)
		case 3:
			var c EthGetSlaveID
			_ = c.Decode(p, fm)
		}
	})
}
