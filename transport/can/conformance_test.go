package can_test

import (
	"fmt"
	"os"
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
		bus := virtual.New("conf", 0)
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
		a, err := udpbus.Open(group, "")
		if err != nil {
			return nil, nil, nil, err
		}
		b, err := udpbus.Open(group, "")
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
