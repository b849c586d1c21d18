package record_test

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/goxcp/goxcp/record"
)

// TestLayoutRoundTrip: for the layouts of recordings written by an
// earlier goxcp (TCP, and CAN with a value split across three ODTs),
// Meta.DTOLayout and LayoutOf are inverses: every list and value comes
// back at the same ODT and offset.
func TestLayoutRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/compat/*.xlog")
	if len(files) == 0 {
		t.Fatal("no recordings in testdata/compat")
	}
	for _, f := range files {
		r, err := record.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		m := r.Meta()
		r.Close()
		l, err := m.DTOLayout()
		if err != nil {
			t.Fatal(err)
		}
		back := record.LayoutOf(l)
		for i := range m.DAQ.Lists {
			for j := range m.DAQ.Lists[i].Measurements {
				ms := &m.DAQ.Lists[i].Measurements[j]
				ms.Unit, ms.Conversion, ms.Comment, ms.Limits = "", nil, "", nil
			}
		}
		if !reflect.DeepEqual(back, m.DAQ) {
			t.Errorf("%s:\n got %+v\nwant %+v", f, back, m.DAQ)
		}
	}
}
