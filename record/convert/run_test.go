package convert_test

import (
	"context"
	"errors"
	"github.com/goxcp/goxcp/protocol/xcp"
	"path/filepath"
	"testing"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/recordtest"
)

// countSink counts samples and can fail after a number of them.
type countSink struct {
	n, failAt int
	tables    []convert.Table
	closed    bool
}

func (c *countSink) Begin(_ *record.Meta, t []convert.Table) error { c.tables = t; return nil }
func (c *countSink) Sample(*dto.Sample) error {
	c.n++
	if c.n == c.failAt {
		return errors.New("sink full")
	}
	return nil
}
func (c *countSink) Close() error { c.closed = true; return nil }

func TestRunErrorsAndCancel(t *testing.T) {
	src := filepath.Join(t.TempDir(), "a.xlog")
	if err := recordtest.WriteFile(src, recordtest.NarrowMeta(), 50000); err != nil {
		t.Fatal(err)
	}
	open := func() *record.Reader {
		r, err := record.Open(src)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r
	}
	s := &countSink{}
	res, err := convert.Run(context.Background(), open(), s)
	if err != nil || res.Samples != 50000 || s.n != 50000 || !s.closed || !res.Complete {
		t.Fatalf("run: %v %+v", err, res)
	}
	s = &countSink{failAt: 10000}
	if _, err := convert.Run(context.Background(), open(), s); err == nil || err.Error() != "sink full" || !s.closed {
		t.Fatalf("sink error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s = &countSink{}
	if _, err := convert.Run(ctx, open(), s); !errors.Is(err, context.Canceled) || !s.closed {
		t.Fatalf("cancel: %v", err)
	}
}

func TestTables(t *testing.T) {
	m := recordtest.MixedMeta(xcp.IDAbsODT, 0, "intel")
	m.DAQ.Lists[1].Name = "a/b c"
	m.DAQ.Lists[2].Name = ""
	m.DAQ.Lists[0].Measurements[1].Name = "HOST_NS"
	tabs := convert.Tables(m)
	if tabs[1].Name != "a_b_c" || tabs[2].Name != "list2" || tabs[0].HasSlave {
		t.Fatalf("names %q %q", tabs[1].Name, tabs[2].Name)
	}
	if c := tabs[0].Columns; c[0].Name != "host_ns" || c[2].Name != "HOST_NS_2" {
		t.Fatalf("columns %+v", c)
	}
}
