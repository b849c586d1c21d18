package usb

import (
	"context"
	"errors"
	"testing"

	"github.com/goxcp/goxcp/transport/sxi"
)

// errNoMore ends the transfers of oneTransfer.
var errNoMore = errors.New("no more transfers")

// oneTransfer is a bulk IN endpoint that delivers one transfer, then
// errNoMore: Recv's end of input is an error, not a timeout.
type oneTransfer struct{ data []byte }

func (e *oneTransfer) Read(_ context.Context, p []byte) (int, error) {
	if e.data == nil {
		return 0, errNoMore
	}
	n := copy(p, e.data)
	e.data = nil
	return n, nil
}
func (e *oneTransfer) Write(_ context.Context, p []byte) (int, error) { return len(p), nil }
func (e *oneTransfer) Close() error                                   { return nil }

// FuzzRecv feeds arbitrary bulk transfers to a Conn: every packet it
// returns fits the header's length field, nothing panics or hangs, and
// garbage is counted rather than fatal (Recv ends only when the transfers
// run out).
func FuzzRecv(f *testing.F) {
	f.Add(byte(4), []byte{0x02, 0x00, 0x00, 0x00, 0xFF, 0x00})
	f.Add(byte(0), []byte{0x01, 0xFF, 0x03, 0xFE, 0x20})
	f.Add(byte(5), []byte{0x03, 0x00, 0x00, 0x00, 0xFF, 0x01, 0x02, 0x00})
	f.Add(byte(4), []byte{0xFF, 0xFF, 0x00})
	f.Fuzz(func(t *testing.T, sel byte, transfer []byte) {
		h := sxi.HeaderFormat(int(sel) % 6)
		c, err := NewConn(&oneTransfer{data: append([]byte{}, transfer...)}, Options{Header: h})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for {
			p, err := c.Recv(context.Background())
			if err != nil {
				if !errors.Is(err, errNoMore) {
					t.Fatalf("Recv after % X: %v, want the end of the transfers", transfer, err)
				}
				return
			}
			if len(p.Data) == 0 || len(p.Data) > c.Info().MaxPacket {
				t.Fatalf("packet of %d bytes from % X", len(p.Data), transfer)
			}
		}
	})
}
