package gdbrsp_test

import (
	"bufio"
	"context"
	"fmt"
	"net"

	"github.com/goxcp/goxcp/dbg/gdbrsp"
)

// ram is a Target backed by a byte slice at address 0x1000.
type ram []byte

func (r ram) ReadMemory(_ context.Context, addr uint64, n int) ([]byte, error) {
	if addr < 0x1000 || addr-0x1000+uint64(n) > uint64(len(r)) {
		return nil, fmt.Errorf("0x%X+%d outside the RAM", addr, n)
	}
	return r[addr-0x1000 : addr-0x1000+uint64(n)], nil
}

func (r ram) WriteMemory(_ context.Context, addr uint64, data []byte) error {
	if addr < 0x1000 || addr-0x1000+uint64(len(data)) > uint64(len(r)) {
		return fmt.Errorf("0x%X+%d outside the RAM", addr, len(data))
	}
	copy(r[addr-0x1000:], data)
	return nil
}

// A debugger reads four bytes with the m packet; the server acknowledges
// it (+) and answers them in hex. In goxcp the Target is a SW-DBG session
// (dbg.Session) on the ECU; `xcp gdbserver` wires them up.
func ExampleServer() {
	srv := &gdbrsp.Server{Target: ram{0xDE, 0xAD, 0xBE, 0xEF}}
	gdb, c := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- srv.ServeConn(context.Background(), c) }()

	r := bufio.NewReader(gdb)
	send := func(pkt string) {
		var sum byte
		for i := range len(pkt) {
			sum += pkt[i]
		}
		fmt.Fprintf(gdb, "$%s#%02x", pkt, sum)
	}
	send("m1000,4")
	ack, _ := r.ReadByte()
	reply, _ := r.ReadString('#')
	fmt.Printf("%c %s\n", ack, reply)
	gdb.Close()
	fmt.Println(<-done)
	// Output:
	// + $deadbeef#
	// <nil>
}
