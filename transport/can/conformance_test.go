package can_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/udpbus"
	"github.com/goxcp/goxcp/transport/can/virtual"
	"github.com/goxcp/goxcp/transport/transporttest"
)

// The conformance suite compares packets byte for byte, so it runs on
// classic CAN without padding (CAN FD rounds lengths up to the DLC steps
// and padding lengthens packets: XCP on CAN has no length field).

func TestConformanceVirtual(t *testing.T) {
	cfg := can.Config{CanIDMaster: 0x101, CanIDSlave: 0x102}
	transporttest.TestConn(t, func() (transport.Conn, transport.Conn, func(), error) {
		bus := virtual.New(virtual.Config{Name: "conf"})
		m, err := can.NewConn(bus.Open(), cfg, can.Master)
		if err != nil {
			return nil, nil, nil, err
		}
		s, err := can.NewConn(bus.Open(), cfg, can.Slave)
		if err != nil {
			m.Close()
			return nil, nil, nil, err
		}
		return m, s, nil, nil
	})
}

func TestConformanceUDPMulticast(t *testing.T) {
	cfg := can.Config{CanIDMaster: 0x80000201, CanIDSlave: 0x80000202}
	transporttest.TestConn(t, func() (transport.Conn, transport.Conn, func(), error) {
		// A group of this process: two test runs at once must not hear
		// each other (a multicast group cannot use port 0).
		group := fmt.Sprintf("239.74.68.%d:%d", 2+os.Getpid()%200, 40000+os.Getpid()%20000)
		a, err := udpbus.Open(context.Background(), udpbus.Config{Group: group})
		if err != nil {
			return nil, nil, nil, err
		}
		b, err := udpbus.Open(context.Background(), udpbus.Config{Group: group})
		if err != nil {
			a.Close()
			return nil, nil, nil, err
		}
		m, err := can.NewConn(a, cfg, can.Master)
		if err != nil {
			a.Close()
			b.Close()
			return nil, nil, nil, err
		}
		s, err := can.NewConn(b, cfg, can.Slave)
		if err != nil {
			m.Close()
			b.Close()
			return nil, nil, nil, err
		}
		return m, s, nil, nil
	})
}

// nonLockingBus is a Bus that relies on the contract "one Send at a time":
// like a driver with a single transmit buffer, it copies the frame into a
// shared buffer before handing it on, so overlapping Sends corrupt frames.
// It also records any overlap it sees.
type nonLockingBus struct {
	can.Bus
	inSend  atomic.Int32
	overlap atomic.Bool
	buf     can.Frame
}

func (b *nonLockingBus) Send(ctx context.Context, f can.Frame) error {
	if b.inSend.Add(1) > 1 {
		b.overlap.Store(true)
	}
	defer b.inSend.Add(-1)
	b.buf = f
	runtime.Gosched() // widen the window a second sender would hit
	return b.Bus.Send(ctx, b.buf)
}

// The conformance suite (which sends from many goroutines at once) over
// a Bus that is not safe for concurrent Sends: Conn must serialise them.
func TestConformanceNonLockingBus(t *testing.T) {
	cfg := can.Config{CanIDMaster: 0x301, CanIDSlave: 0x302}
	var buses []*nonLockingBus
	transporttest.TestConn(t, func() (transport.Conn, transport.Conn, func(), error) {
		bus := virtual.New(virtual.Config{Name: "nonlocking"})
		mb, sb := &nonLockingBus{Bus: bus.Open()}, &nonLockingBus{Bus: bus.Open()}
		buses = append(buses, mb, sb)
		m, err := can.NewConn(mb, cfg, can.Master)
		if err != nil {
			return nil, nil, nil, err
		}
		s, err := can.NewConn(sb, cfg, can.Slave)
		if err != nil {
			m.Close()
			return nil, nil, nil, err
		}
		return m, s, nil, nil
	})
	for _, b := range buses {
		if b.overlap.Load() {
			t.Fatal("Conn called Bus.Send from two goroutines at once")
		}
	}
}
