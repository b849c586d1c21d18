package sim

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/goxcp/goxcp/protocol/xcp"
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

// FuzzDiscoveryAnswer feeds arbitrary datagrams to the discovery responder
// (they come from the network): it never panics, and an answer is always a
// well-formed XCP on Ethernet frame (LEN CTR, then LEN bytes) that the
// master's decoder of the matching response accepts.
func FuzzDiscoveryAnswer(f *testing.F) {
	var xf xcp.Format
	lo := netip.MustParseAddr("127.0.0.1")
	f.Add(frame(xcp.EthGetSlaveID{ResponsePort: 41000, ResponseAddr: lo}.Append(nil, xf)))
	f.Add(frame(xcp.EthGetSlaveID{Extended: true, ResponseAddr: lo}.Append(nil, xf)))
	f.Add(frame(xcp.EthSetSlaveIPAddress{MAC: DefaultMAC(), IP: lo, ResponsePort: 41000, ResponseAddr: lo}.Append(nil, xf)))
	f.Add([]byte{1, 0})
	f.Add([]byte{0xFF, 0xFF, 0, 0, 0xF2})
	s, err := New(Config{Name: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	from := netip.MustParseAddrPort("127.0.0.1:40000")
	f.Fuzz(func(t *testing.T, req []byte) {
		d := &discovery{slave: s, cfg: DiscoveryConfig{Protocol: "udp", MAC: DefaultMAC()}, announce: netip.MustParseAddrPort("127.0.0.1:5555")}
		resp, _, ok := d.answer(req, from)
		if !ok {
			return
		}
		if len(resp) < 5 || int(binary.LittleEndian.Uint16(resp)) != len(resp)-4 {
			t.Fatalf("answer to % X is % X", req, resp)
		}
		var err error
		if req[5] == xcp.EthSubSetSlaveIPAddress {
			var r xcp.EthSetSlaveIPAddressResponse
			err = r.Decode(resp[4:], xf)
		} else {
			r := xcp.EthGetSlaveIDResponse{Extended: req[5] == xcp.EthSubGetSlaveIDExtended}
			err = r.Decode(resp[4:], xf)
		}
		if err != nil {
			t.Fatalf("answer to % X is % X: %v", req, resp, err)
		}
	})
}
