package socketcan

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/goxcp/goxcp/transport/can"
)

func TestCodecRoundTrip(t *testing.T) {
	for _, f := range []can.Frame{
		{ID: 0x7E1, Len: 8, Data: [64]byte{1, 2, 3, 4, 5, 6, 7, 8}},
		{ID: 0x1ABCDEF, Extended: true, Len: 0},
		{ID: 0x100, FD: true, BRS: true, Len: 48, Data: [64]byte{0xAA}},
	} {
		b, err := Encode(nil, f)
		if err != nil {
			t.Fatal(err)
		}
		want := ClassicSize
		if f.FD {
			want = FDSize
		}
		if len(b) != want {
			t.Fatalf("%v encoded to %d bytes", f, len(b))
		}
		g, ok, err := Decode(b)
		if err != nil || !ok || g != f {
			t.Fatalf("%v -> %v %v %v", f, g, ok, err)
		}
	}
}

func TestDecodeRejectsAndSkips(t *testing.T) {
	if _, _, err := Decode(make([]byte, 15)); !errors.Is(err, ErrKernelFrame) {
		t.Fatal(err)
	}
	b, _ := Encode(nil, can.Frame{ID: 1, Len: 1})
	binary.NativeEndian.PutUint32(b, 1|flagRTR)
	if _, ok, err := Decode(b); ok || err != nil {
		t.Fatal("remote frame not skipped")
	}
	b, _ = Encode(nil, can.Frame{ID: 1, Len: 1})
	b[4] = 9
	if _, _, err := Decode(b); !errors.Is(err, ErrKernelFrame) {
		t.Fatal("classic length 9 accepted")
	}
}

func FuzzDecode(f *testing.F) {
	b1, _ := Encode(nil, can.Frame{ID: 0x7E1, Len: 2})
	b2, _ := Encode(nil, can.Frame{ID: 0x100, FD: true, Len: 64})
	f.Add(b1)
	f.Add(b2)
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, ok, err := Decode(b)
		if err != nil || !ok {
			return
		}
		if fr.Validate() != nil {
			t.Fatalf("invalid frame %v", fr)
		}
	})
}

func TestOpenWithoutInterfaceExplains(t *testing.T) {
	if _, err := Open(context.Background(), Config{Interface: "nosuchcan0"}); err == nil {
		t.Fatal("missing interface accepted")
	}
	ok, why := Available()
	if why == "" {
		t.Fatal("Available gives no reason")
	}
	t.Logf("socketcan available=%v: %s", ok, why)
}

func TestCodecErrorFrame(t *testing.T) {
	f := can.ErrorFrame(can.ErrClassBusOff|can.ErrClassCnt, [8]byte{6: 255, 7: 3})
	b, err := Encode(nil, f)
	if err != nil {
		t.Fatal(err)
	}
	if id := binary.NativeEndian.Uint32(b); id != flagERR|can.ErrClassBusOff|can.ErrClassCnt {
		t.Fatalf("can_id 0x%X", id)
	}
	g, ok, err := Decode(b)
	if err != nil || !ok || g != f {
		t.Fatalf("%v -> %v %v %v", f, g, ok, err)
	}
	fd := make([]byte, FDSize)
	binary.NativeEndian.PutUint32(fd, flagERR|can.ErrClassBusOff)
	if _, _, err := Decode(fd); !errors.Is(err, ErrKernelFrame) {
		t.Fatalf("CAN FD sized error frame: %v", err)
	}
}
