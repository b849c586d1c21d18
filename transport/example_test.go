package transport_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"

	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/memconn"
)

// Code written against transport.Conn works over every medium. Here the
// packets go over an in-process pair; with eth.Dial, canbus.Dial, sxi.Dial
// or usb.Dial the same calls go to a real slave.
func ExampleSendAll() {
	ctx := context.Background()
	var a, b transport.Conn
	a, b = memconn.Pipe(8)
	defer a.Close()
	defer b.Close()

	// Two STIM DTOs (PID 0 and 1) in one go: one SendBatch where the
	// transport supports it, otherwise one Send each.
	if err := transport.SendAll(ctx, a, [][]byte{{0x00, 0x10, 0x27}, {0x01, 0xE8, 0x03}}); err != nil {
		log.Fatal(err)
	}
	for range 2 {
		p, err := b.Recv(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("PID %d: % X\n", p.Data[0], p.Data[1:])
	}
	fmt.Println("packets received:", b.Stats().PacketsReceived)
	// Output:
	// PID 0: 10 27
	// PID 1: E8 03
	// packets received: 2
}

// A lost connection is recognised with errors.Is, whatever the medium
// reported as its cause.
func ExampleLostError() {
	err := fmt.Errorf("recording: %w", &transport.LostError{Op: "receive", Err: io.EOF})
	fmt.Println(err)
	fmt.Println(errors.Is(err, transport.ErrConnectionLost), errors.Is(err, io.EOF))
	// Output:
	// recording: connection lost (receive): EOF
	// true true
}
