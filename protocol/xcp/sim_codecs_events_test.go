package xcp

import (
	"bytes"
	"testing"
)

func TestEventServAppendGolden(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want []byte
	}{
		{"EV_CMD_PENDING", Event{Code: EvCmdPending}.Append(nil, Format{}), []byte{0xFD, 0x05}},
		{"EV_USER with data", Event{Code: EvUser, Data: []byte{1, 2}}.Append(nil, Format{}), []byte{0xFD, 0xFE, 1, 2}},
		{"SERV_TEXT", ServiceRequest{Code: ServText, Data: []byte("hi")}.Append(nil, Format{}), []byte{0xFC, 0x01, 'h', 'i'}},
		{"SERV_RESET", ServiceRequest{Code: ServReset}.Append(nil, Format{}), []byte{0xFC, 0x00}},
	}
	for _, tc := range tests {
		if !bytes.Equal(tc.got, tc.want) {
			t.Errorf("%s: got % X, want % X", tc.name, tc.got, tc.want)
		}
	}
	// Round trip through the decoders.
	ev, err := DecodeEvent(Event{Code: EvUser, Data: []byte{9}}.Append(nil, Format{}))
	if err != nil || ev.Code != EvUser || !bytes.Equal(ev.Data, []byte{9}) {
		t.Fatalf("event round trip: %+v %v", ev, err)
	}
	sr, err := DecodeServiceRequest(ServiceRequest{Code: ServText, Data: []byte("x")}.Append(nil, Format{}))
	if err != nil || sr.Code != ServText || string(sr.Data) != "x" {
		t.Fatalf("serv round trip: %+v %v", sr, err)
	}
}
