package memconn_test

import (
	"context"
	"fmt"
	"log"

	"github.com/goxcp/goxcp/transport/memconn"
)

// A connected pair of in-process transport.Conns: what one end sends, the
// other receives, whole packets in order. Packets are copied, so the sender
// may reuse its buffer at once.
func ExamplePipe() {
	ctx := context.Background()
	master, slave := memconn.Pipe(4)
	defer master.Close()

	buf := []byte{0xFF, 0x00} // CONNECT, mode 0
	if err := master.Send(ctx, buf); err != nil {
		log.Fatal(err)
	}
	buf[0] = 0x00 // does not change the packet already sent
	p, err := slave.Recv(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("slave got % X\n", p.Data)

	if err := slave.Send(ctx, []byte{0xFF, 0x15, 0xC0, 0x08, 0x08, 0x00, 0x01, 0x01}); err != nil {
		log.Fatal(err)
	}
	p, err = master.Recv(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("master got % X\n", p.Data)
	st := master.Stats()
	fmt.Println("master sent", st.PacketsSent, "received", st.PacketsReceived)

	// Closing one end ends the other's Recv once it has read what was sent.
	slave.Close()
	_, err = master.Recv(ctx)
	fmt.Println("after close:", err)
	// Output:
	// slave got FF 00
	// master got FF 15 C0 08 08 00 01 01
	// master sent 1 received 1
	// after close: use of closed network connection
}
