package sim

import (
	"context"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/virtual"
)

// serveCAN serves a new slave on a virtual CAN bus and returns an
// unconnected client (a master-role can.Conn) and a raw port on the bus.
func serveCAN(t *testing.T, cfg can.Config) (*client, *virtual.Port) {
	t.Helper()
	s, err := New(Config{MaxCTO: 8, MaxDTO: 8})
	if err != nil {
		t.Fatal(err)
	}
	bus := virtual.New(virtual.Config{Name: "t"})
	sc, err := can.NewConn(bus.Open(), cfg, can.Slave)
	if err != nil {
		t.Fatal(err)
	}
	mc, err := can.NewConn(bus.Open(), cfg, can.Master)
	if err != nil {
		t.Fatal(err)
	}
	raw := bus.Open()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, sc) }()
	t.Cleanup(func() {
		cancel()
		mc.Close()
		raw.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &client{t: t, conn: mc, ctx: ctx}, raw
}

func TestCANTransportLayerCommands(t *testing.T) {
	cfg := can.Config{CanIDMaster: 0x101, CanIDSlave: 0x102, CanIDBroadcast: 0x100}
	c, raw := serveCAN(t, cfg)

	// GET_SLAVE_ID on the broadcast identifier before CONNECT: the
	// answer comes on can_id_slave and names can_id_master.
	req := xcp.GetSlaveID{}.Append(nil, xcp.Format{})
	f := can.Frame{ID: 0x100, Len: uint8(len(req))}
	copy(f.Data[:], req)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := raw.Send(ctx, f); err != nil {
		t.Fatal(err)
	}
	for {
		got, err := raw.Receive(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != 0x102 {
			continue
		}
		var r xcp.GetSlaveIDResponse
		if err := r.Decode(got.Payload(), xcp.Format{}); err != nil || r.CmdID != 0x101 || r.Inverse {
			t.Fatalf("GET_SLAVE_ID answer % X: %+v %v", got.Payload(), r, err)
		}
		break
	}
	if p := c.recv(); p[1] != 'X' { // the master's Conn hears the answer too
		t.Fatalf("master Conn got % X", p)
	}
	c.connect(xcp.ConnectNormal)
	f8 := xcp.Format{Order: xcp.Intel, MaxCTO: 8}
	var sr xcp.GetSlaveIDResponse
	if err := sr.Decode(c.ok(xcp.GetSlaveID{Inverse: true}.Append(nil, f8)), f8); err != nil || !sr.Inverse || sr.CmdID != 0x101 {
		t.Fatalf("inverse GET_SLAVE_ID: %+v %v", sr, err)
	}
	// No DAQ list yet: GET_DAQ_ID/SET_DAQ_ID are out of range.
	c.fail(xcp.GetDaqID{List: 0}.Append(nil, f8), xcp.ErrOutOfRange)
	c.ok([]byte{byte(xcp.CmdFreeDaq)})
	c.ok(xcp.AllocDaq{Count: 2}.Append(nil, f8))
	var dr xcp.GetDaqIDResponse
	if err := dr.Decode(c.ok(xcp.GetDaqID{List: 1}.Append(nil, f8)), f8); err != nil || dr.ID != 0x102 || dr.Fixed {
		t.Fatalf("GET_DAQ_ID default: %+v %v", dr, err)
	}
	c.ok(xcp.SetDaqID{List: 1, ID: 0x80012345}.Append(nil, f8))
	if err := dr.Decode(c.ok(xcp.GetDaqID{List: 1}.Append(nil, f8)), f8); err != nil || dr.ID != 0x80012345 {
		t.Fatalf("GET_DAQ_ID after SET_DAQ_ID: %+v %v", dr, err)
	}
	c.fail(xcp.SetDaqID{List: 2, ID: 0x200}.Append(nil, f8), xcp.ErrOutOfRange)
	c.fail(xcp.SetDaqID{List: 0, ID: 0x7FFFFFFF}.Append(nil, f8), xcp.ErrOutOfRange)
	c.fail([]byte{byte(xcp.CmdTransportLayerCmd), 0x42}, xcp.ErrSubcmdUnknown)
	c.fail([]byte{byte(xcp.CmdTransportLayerCmd), xcp.CANGetDaqID}, xcp.ErrCmdSyntax)
}

func TestTransportLayerCmdUnknownOffCAN(t *testing.T) {
	_, c := start(t, Config{})
	c.fail(xcp.GetSlaveID{}.Append(nil, c.f), xcp.ErrCmdUnknown)
}
