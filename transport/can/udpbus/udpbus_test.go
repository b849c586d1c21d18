package udpbus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/goxcp/goxcp/transport/can"
)

func testGroup() string {
	return fmt.Sprintf("239.74.67.%d:%d", 2+os.Getpid()%200, 40000+os.Getpid()%20000)
}

func TestEncodeDecode(t *testing.T) {
	for _, f := range []can.Frame{
		{ID: 0x7E1, Len: 2, Data: [64]byte{0xFF, 0x01}},
		{ID: 0x1ABCDEF, Extended: true, FD: true, BRS: true, Len: 64},
		can.ErrorFrame(can.ErrClassBusOff|can.ErrClassCnt, [8]byte{6: 255}), // error frames travel as error frames
	} {
		b := Encode(nil, f, 42)
		g, s, err := Decode(b)
		if err != nil || s != 42 || g != f {
			t.Fatalf("%v -> % X -> %v %d %v", f, b, g, s, err)
		}
	}
	bad := [][]byte{nil, []byte("XCAN"), append([]byte("XCAM"), make([]byte, 16)...)}
	good := Encode(nil, can.Frame{ID: 1, Len: 1}, 1)
	for i := range []int{4, 5, 6} {
		b := append([]byte(nil), good...)
		b[4+i] = 0xEE
		bad = append(bad, b)
	}
	bad = append(bad, good[:len(good)-1])
	for _, b := range bad {
		if _, _, err := Decode(b); !errors.Is(err, ErrDatagram) {
			t.Errorf("% X: %v", b, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode(nil, can.Frame{ID: 0x7E1, Len: 2}, 7))
	f.Add(Encode(nil, can.Frame{ID: 0x100, FD: true, Len: 12}, 7))
	f.Add([]byte("XCAN\x01\x00\x09\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, s, err := Decode(b)
		if err != nil {
			return
		}
		if fr.Validate() != nil {
			t.Fatal("decoded an invalid frame")
		}
		if !bytes.Equal(Encode(nil, fr, s), b) {
			t.Fatal("re-encoding differs")
		}
	})
}

func TestTwoPortsSeeEachOther(t *testing.T) {
	g := testGroup()
	a, err := Open(context.Background(), Config{Group: g})
	if err != nil {
		t.Skipf("multicast on loopback not available: %v", err)
	}
	defer a.Close()
	b, err := Open(context.Background(), Config{Group: g})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	f := can.Frame{ID: 0x7E0, Len: 3, Data: [64]byte{0xFF, 0, 1}}
	if err := a.Send(ctx, f); err != nil {
		t.Fatal(err)
	}
	got, err := b.Receive(ctx)
	if err != nil || got != f {
		t.Fatalf("%v %v", got, err)
	}
	// a must not see its own frame; cancellation ends the wait.
	short, c2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer c2()
	if _, err := a.Receive(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("own frame or wrong error: %v", err)
	}
	if err := b.SetFilter([]can.ID{{Value: 0x7E1}}); err != nil {
		t.Fatal(err)
	}
	a.Send(ctx, can.Frame{ID: 0x123, Len: 1})
	a.Send(ctx, can.Frame{ID: 0x7E1, Len: 1, Data: [64]byte{9}})
	if got, err = b.Receive(ctx); err != nil || got.ID != 0x7E1 {
		t.Fatalf("filter: %v %v", got, err)
	}
}

// A frame sent unicast to the bus port (from this host or any peer) is
// not received: only the group's datagrams are.
func TestUnicastDatagramIgnored(t *testing.T) {
	g := testGroup()
	a, err := Open(context.Background(), Config{Group: g})
	if err != nil {
		t.Skipf("multicast on loopback not available: %v", err)
	}
	defer a.Close()
	b, err := Open(context.Background(), Config{Group: g})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ga, err := net.ResolveUDPAddr("udp4", g)
	if err != nil {
		t.Fatal(err)
	}
	uni, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: ga.Port})
	if err != nil {
		t.Fatal(err)
	}
	defer uni.Close()
	if _, err := uni.Write(Encode(nil, can.Frame{ID: 0x7E0, Len: 2, Data: [64]byte{0xFF, 0x00}}, 42)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	// Each port must receive the other's group frame first (the kernel
	// hands a unicast datagram to one of the sockets on the port).
	fa := can.Frame{ID: 0x7E1, Len: 1, Data: [64]byte{7}}
	fb := can.Frame{ID: 0x7E2, Len: 1, Data: [64]byte{8}}
	if err := a.Send(ctx, fa); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(ctx, fb); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Receive(ctx); err != nil || got != fb {
		t.Fatalf("a received %v (%v), want the group frame %v", got, err, fb)
	}
	if got, err := b.Receive(ctx); err != nil || got != fa {
		t.Fatalf("b received %v (%v), want the group frame %v", got, err, fa)
	}
}
