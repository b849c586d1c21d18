package master

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Exchange sends a master block (answered once, after the last packet) and
// collects every packet of a slave-block answer.
func TestExchangeBlocks(t *testing.T) {
	var got [][]byte
	m, stop := fakeSlave(t, func(req []byte) [][]byte {
		got = append(got, req)
		switch req[1] {
		case 1, 2: // first packets of a master block: no answer
			return nil
		case 3:
			return [][]byte{{xcp.PIDRes}}
		case 9: // slave block: three packets
			return [][]byte{{xcp.PIDRes, 1}, {xcp.PIDRes, 2}, {xcp.PIDRes, 3}}
		}
		return [][]byte{{xcp.PIDErr, byte(xcp.ErrSequence), 7}}
	})
	defer stop()
	ctx := context.Background()
	r, err := m.Exchange(ctx, [][]byte{{0xC0, 1}, {0xC0, 2}, {0xC0, 3}}, time.Millisecond, CallOptions{NoRetry: true})
	if err != nil || len(r) != 1 || len(got) != 3 {
		t.Fatalf("master block: %v %v, slave saw %d packets", r, err, len(got))
	}
	r, err = m.Exchange(ctx, [][]byte{{0xC0, 9}}, 0, CallOptions{NoRetry: true, Responses: 3})
	if err != nil || len(r) != 3 || !bytes.Equal(r[2], []byte{xcp.PIDRes, 3}) {
		t.Fatalf("slave block: % X %v", r, err)
	}
	_, err = m.Exchange(ctx, [][]byte{{0xC0, 5}}, 0, CallOptions{NoRetry: true})
	var xe *xcp.Error
	if !errors.As(err, &xe) || xe.Code != xcp.ErrSequence || !bytes.Equal(xe.Data, []byte{7}) {
		t.Fatalf("error: %v", err)
	}
	// A lost packet of a slave block ends in a timeout.
	_, err = m.Exchange(ctx, [][]byte{{0xC0, 9}}, 0, CallOptions{NoRetry: true, Responses: 4, Timeout: 50 * time.Millisecond})
	if !errors.Is(err, xcp.ErrTimeout) {
		t.Fatalf("lost packet: %v", err)
	}
	if _, err := m.Exchange(ctx, nil, 0, CallOptions{}); err == nil {
		t.Fatal("empty exchange accepted")
	}
}
