package opener_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/goxcp/goxcp/record/opener"
)

// Every format is recognised by content and yields samples; files written by
// other tools (pyXCP, asammdf) where ../shared has them, goxcp's own test
// recording otherwise.
func TestOpenEveryFormat(t *testing.T) {
	for _, tc := range []struct {
		path string
		want opener.Format
	}{
		{"../xmraw/testdata/two_lists.xmraw", opener.XMRaw},
		{"../../../shared/recordings/pyxcp/pyxcp_hello_xcp.xmraw", opener.XMRaw},
		{"../../../shared/mdf/asammdf/asammdf_410_plain.mf4", opener.MDF4},
		{"../../../shared/mdf/asammdf/asammdf_420_transposed_deflate.mf4", opener.MDF4},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			if _, err := os.Stat(tc.path); err != nil {
				t.Skipf("%s not found (../shared beside the repository)", tc.path)
			}
			rec, err := opener.Open(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer rec.Close()
			if rec.Format != tc.want || len(rec.Meta().DAQ.Lists) == 0 {
				t.Fatalf("format %s, %d lists", rec.Format, len(rec.Meta().DAQ.Lists))
			}
			n := 0
			for rec.Next() {
				n++
			}
			if err := rec.Err(); err != nil || n == 0 {
				t.Errorf("%d samples, %v", n, err)
			}
		})
	}
	if _, err := opener.Open("no-such-file.xlog"); err == nil {
		t.Error("missing file: no error")
	}
	bad := filepath.Join(t.TempDir(), "bad.xlog")
	os.WriteFile(bad, []byte("not a recording at all"), 0o644)
	if _, err := opener.Open(bad); err == nil {
		t.Error("garbage: no error")
	}
}
