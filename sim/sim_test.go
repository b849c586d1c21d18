package sim

import (
	"context"
	"testing"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport/memconn"
)

func TestConnectOverPipe(t *testing.T) {
	a, b := memconn.Pipe(4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := New(Config{Order: xcp.Motorola, AG: xcp.Word, MaxCTO: 64})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, b) }()
	if err := a.Send(ctx, xcp.Connect{}.Append(nil, xcp.Format{})); err != nil {
		t.Fatal(err)
	}
	p, err := a.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var r xcp.ConnectResponse
	if err := r.Decode(p.Data, xcp.Format{}); err != nil {
		t.Fatal(err)
	}
	f, _ := r.Format()
	if f.Order != xcp.Motorola || f.AG != xcp.Word || f.MaxCTO != 64 {
		t.Fatalf("format %+v", f)
	}
	a.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
