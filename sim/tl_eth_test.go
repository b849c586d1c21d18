package sim

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"goxcp/xcp"
)

func frame(pkt []byte) []byte {
	b := binary.LittleEndian.AppendUint16(nil, uint16(len(pkt)))
	return append(binary.LittleEndian.AppendUint16(b, 7), pkt...)
}

// The discovery responder answers well-formed requests only, to the
// address in the request (or the sender).
func TestDiscoveryAnswer(t *testing.T) {
	s, err := New(Config{Name: "x"})
	if err != nil {
		t.Fatal(err)
	}
	d := &discovery{slave: s, cfg: DiscoveryConfig{Protocol: "udp", MAC: DefaultMAC()}, announce: netip.MustParseAddrPort("127.0.0.1:5555")}
	from := netip.MustParseAddrPort("127.0.0.1:40000")
	lo := netip.MustParseAddr("127.0.0.1")
	var f xcp.Format
	get := xcp.EthGetSlaveID{ResponsePort: 41000, ResponseAddr: lo}.Append(nil, f)
	for _, tc := range []struct {
		name string
		req  []byte
		to   string // "" = no answer
	}{
		{"GET_SLAVE_ID", frame(get), "127.0.0.1:41000"},
		{"unspecified response address", frame(xcp.EthGetSlaveID{ResponsePort: 41001, ResponseAddr: netip.IPv4Unspecified()}.Append(nil, f)), "127.0.0.1:41001"},
		{"no response port", frame(xcp.EthGetSlaveID{ResponseAddr: lo}.Append(nil, f)), "127.0.0.1:40000"},
		{"short frame", []byte{1, 0}, ""},
		{"length beyond the datagram", append([]byte{40, 0, 0, 0}, get...), ""},
		{"truncated command", frame(get[:10]), ""},
		{"not TRANSPORT_LAYER_CMD", frame([]byte{0xFF, 0}), ""},
		{"unknown sub-command", frame([]byte{0xF2, 0xFA, 0, 0}), ""},
		{"SET_SLAVE_IP_ADDRESS other MAC", frame(xcp.EthSetSlaveIPAddress{ResponseAddr: lo, ResponsePort: 1, MAC: [6]byte{9}, IP: lo}.Append(nil, f)), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, to, ok := d.answer(tc.req, from)
			if tc.to == "" {
				if ok {
					t.Fatalf("answered % X", resp)
				}
				return
			}
			if !ok || to.String() != tc.to {
				t.Fatalf("ok %v to %s, want %s", ok, to, tc.to)
			}
			var r xcp.EthGetSlaveIDResponse
			if n := binary.LittleEndian.Uint16(resp); int(n) != len(resp)-4 {
				t.Fatalf("LEN %d for %d bytes", n, len(resp)-4)
			}
			if err := r.Decode(resp[4:], f); err != nil || r.Port != 5555 || string(r.ID) != "x" || r.Status != 1|xcp.EthStatusExtSupported {
				t.Fatalf("%+v %v", r, err)
			}
		})
	}
}
