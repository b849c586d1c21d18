package opener_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/csv"
	"github.com/goxcp/goxcp/record/opener"
	"github.com/goxcp/goxcp/record/recordtest"
	"github.com/goxcp/goxcp/record/xmraw"
)

// Convert gives the same Outcome shape for every format: samples per list
// and what the file says about losses; with count the sink gets the
// samples per list first; a pyXCP file cut short converts up to the damage
// and returns the *xmraw.FormatError with the Outcome.
func TestConvert(t *testing.T) {
	dir := t.TempDir()
	xlog := filepath.Join(dir, "run.xlog")
	if err := recordtest.WriteFile(xlog, recordtest.MixedMeta(xcp.IDAbsODT, 4, "intel"), 900); err != nil {
		t.Fatal(err)
	}
	xm, err := os.ReadFile("../xmraw/testdata/two_lists.xmraw")
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.xmraw")
	os.WriteFile(cut, xm[:len(xm)-10], 0o644)
	for _, c := range []struct {
		name     string
		path     string
		format   opener.Format
		lists    int
		complete bool
		damaged  bool
	}{
		{"goxcp recording", xlog, opener.XLog, 3, true, false},
		{"pyXCP recording", "../xmraw/testdata/two_lists.xmraw", opener.XMRaw, 2, true, false},
		{"pyXCP recording cut short", cut, opener.XMRaw, 2, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var counted []uint64
			out := filepath.Join(t.TempDir(), "csv") + string(filepath.Separator)
			res, err := opener.Convert(context.Background(), c.path, func(m *record.Meta, counts []uint64) (convert.Sink, error) {
				counted = counts
				return csv.New(out), nil
			}, true, convert.Options{})
			var fe *xmraw.FormatError
			if c.damaged != (err != nil) || (err != nil && !errors.As(err, &fe)) {
				t.Fatalf("error %v", err)
			}
			if res == nil || res.Format != c.format || len(res.Lists) != c.lists || res.Complete != c.complete || len(counted) != c.lists {
				t.Fatalf("outcome %+v, counted %v", res, counted)
			}
			var sum uint64
			for i, l := range res.Lists {
				sum += l.Samples
				if !c.damaged && l.Samples != counted[i] {
					t.Errorf("list %d: %d samples written, %d counted", i, l.Samples, counted[i])
				}
			}
			if sum != res.Samples || res.Samples == 0 || res.Frames == 0 {
				t.Errorf("samples %d (lists %d), frames %d", res.Samples, sum, res.Frames)
			}
			if c.damaged && fe.Offset == 0 {
				t.Errorf("the damage %v does not say where it is", fe)
			}
		})
	}
	if _, err := opener.Convert(context.Background(), filepath.Join(dir, "none.xlog"), nil, false, convert.Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
