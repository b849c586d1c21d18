package usb

import (
	"context"
	"testing"
	"time"

	"goxcp/transport/sxi"
)

// FuzzRecv feeds arbitrary bulk transfers to a Conn: every packet it
// returns fits the header's length field, nothing panics or hangs, and
// garbage is counted rather than fatal.
func FuzzRecv(f *testing.F) {
	f.Add(byte(4), []byte{0x02, 0x00, 0x00, 0x00, 0xFF, 0x00})
	f.Add(byte(0), []byte{0x01, 0xFF, 0x03, 0xFE, 0x20})
	f.Add(byte(5), []byte{0x03, 0x00, 0x00, 0x00, 0xFF, 0x01, 0x02, 0x00})
	f.Add(byte(4), []byte{0xFF, 0xFF, 0x00})
	f.Fuzz(func(t *testing.T, sel byte, transfer []byte) {
		h := sxi.HeaderFormat(int(sel) % 6)
		a, b := Pipe()
		c, err := NewConn(a, h, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := b.Write(context.Background(), transfer); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		for {
			p, err := c.Recv(ctx)
			if err != nil {
				return
			}
			if len(p.Data) == 0 || len(p.Data) > c.Info().MaxPacket {
				t.Fatalf("packet of %d bytes from % X", len(p.Data), transfer)
			}
		}
	})
}
