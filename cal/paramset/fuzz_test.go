package paramset_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/goxcp/goxcp/cal/paramset"
)

// fuzzRead checks that a reader never panics and that whatever it accepts
// can be written in every format and read back unchanged (minus what a
// format cannot hold).
func fuzzRead(f *testing.F, format paramset.Format, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := paramset.Read(bytes.NewReader(data), format)
		if err != nil {
			return
		}
		for _, out := range []paramset.Format{paramset.JSON, paramset.CDFX, paramset.DCM} {
			var buf bytes.Buffer
			skips, err := paramset.Write(&buf, out, set)
			if err != nil {
				if out == paramset.JSON { // NaN and Inf have no JSON form
					continue
				}
				t.Fatalf("write %v: %v", out, err)
			}
			back, err := paramset.Read(&buf, out)
			if err != nil {
				if len(skips) == len(set.Items) {
					continue // nothing written
				}
				t.Fatalf("read back %v: %v\n%s", out, err, buf.String())
			}
			skipped := map[string]bool{}
			for _, s := range skips {
				skipped[s.Name] = true
			}
			for _, d := range paramset.Diff(set, back, paramset.DiffOptions{}) {
				if !skipped[d.Name] && d.State != "only-a" {
					t.Fatalf("%v round trip: %+v", out, d)
				}
			}
		}
	})
}

func seed(f *testing.F, name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	return string(b)
}

func FuzzReadDCM(f *testing.F) {
	fuzzRead(f, paramset.DCM, seed(f, "tools.dcm"),
		"KONSERVIERUNG_FORMAT 2.0\nFESTWERT a\n WERT 1\nEND\n",
		"KONSERVIERUNG_FORMAT 2.0\nKENNFELD m 2 1\n ST/X 1 2\n ST/Y 3\n WERT 1 2\nEND\n")
}

func FuzzReadCDFX(f *testing.F) {
	fuzzRead(f, paramset.CDFX, seed(f, "tools.cdfx"))
}

func FuzzReadJSON(f *testing.F) {
	fuzzRead(f, paramset.JSON, `{"format":"goxcp parameter set","version":1,"items":[{"name":"a","kind":"MAP","dims":[2,1],"values":[1,2],"axes":[{"kind":"STD_AXIS","values":[0,1]},{"kind":"STD_AXIS","values":[5]}]}]}`)
}
