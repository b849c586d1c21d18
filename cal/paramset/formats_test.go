package paramset_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goxcp/goxcp/cal/paramset"
)

func ptr(s string) *string { return &s }

// toolItems is the content of testdata/tools.dcm and tools.cdfx, hand-written
// in the layout calibration tools export (Latin-1, CRLF, comments, function
// and variant blocks).
var toolItems = map[string]*paramset.Item{
	"c_gain":  {Name: "c_gain", Kind: "VALUE", Comment: "controller gain", Function: "F_Idle", Unit: "-", Values: []float64{1.25}},
	"c_label": {Name: "c_label", Kind: "ASCII"},
	"c_block": {Name: "c_block", Kind: "VAL_BLK", Unit: "Nm", Dims: []int{3, 2}, Values: []float64{1, 2, 3, 4, 5, 6}},
	"k_idle": {Name: "k_idle", Kind: "CURVE", Unit: "rpm", Dims: []int{4}, Values: []float64{900, 850, 800, 750},
		Axes: []*paramset.Axis{{Kind: "STD_AXIS", Unit: "°C", Values: []float64{-40, 0, 40, 80}}}},
	"m_ign": {Name: "m_ign", Kind: "MAP", Unit: "deg", Dims: []int{3, 2}, Values: []float64{10, 12, 14, 20, 22, 24},
		Axes: []*paramset.Axis{{Kind: "STD_AXIS", Unit: "rpm", Values: []float64{1000, 2000, 3000}}, {Kind: "STD_AXIS", Unit: "%", Values: []float64{20, 80}}}},
}

func TestReadToolFiles(t *testing.T) {
	dcm, err := paramset.ReadFile(filepath.Join("testdata", "tools.dcm"))
	if err != nil {
		t.Fatal(err)
	}
	cdf, err := paramset.ReadFile(filepath.Join("testdata", "tools.cdfx"))
	if err != nil {
		t.Fatal(err)
	}
	ignore := func(it *paramset.Item) *paramset.Item {
		c := *it
		c.Comment, c.Function = "", ""
		if c.Kind == "ASCII" {
			c.String = nil
		}
		var axes []*paramset.Axis
		for _, a := range c.Axes {
			b := *a
			b.Kind, b.Ref = "", ""
			axes = append(axes, &b)
		}
		c.Axes = axes
		return &c
	}
	for name, want := range toolItems {
		for _, f := range []*paramset.Set{dcm, cdf} {
			got := f.Lookup(name)
			if got == nil {
				t.Errorf("%s: no %s", f.Source, name)
				continue
			}
			if d := cmp.Diff(ignore(want), ignore(got)); d != "" {
				t.Errorf("%s: %s (-want +got):\n%s", f.Source, name, d)
			}
		}
	}
	if it := dcm.Lookup("c_gain"); it.Comment != "controller gain" || it.Function != "F_Idle" {
		t.Errorf("dcm c_gain comment %q function %q", it.Comment, it.Function)
	}
	if it := dcm.Lookup("c_label"); it.String == nil || *it.String != "release 7" {
		t.Errorf("dcm c_label %v", it.String)
	}
	if it := cdf.Lookup("c_label"); it.String == nil || *it.String != "release 7 & more" {
		t.Errorf("cdfx c_label %v", it.String)
	}
	if it := dcm.Lookup("c_mode"); it == nil || len(it.Text) != 1 || it.Text[0] != "SPORT" {
		t.Errorf("dcm c_mode %+v", it)
	}
	if it := cdf.Lookup("c_on"); it == nil || it.Kind != "VALUE" || it.Text[0] != "on" {
		t.Errorf("cdfx c_on %+v", it)
	}
	if it := dcm.Lookup("k_group"); it == nil || it.Axes[0].Kind != "COM_AXIS" || it.Axes[0].Ref != "a_load" {
		t.Errorf("dcm k_group %+v", it)
	}
	if it := dcm.Lookup("k_fix"); it == nil || it.Axes[0].Kind != "FIX_AXIS" {
		t.Errorf("dcm k_fix %+v", it)
	}
	if it := dcm.Lookup("m_group"); it == nil || it.Axes[1].Ref != "a_y" || it.Values[3] != 22 {
		t.Errorf("dcm m_group %+v", it)
	}
	if it := dcm.Lookup("c_row"); it == nil || len(it.Values) != 8 || it.Values[7] != 8 {
		t.Errorf("dcm c_row %+v", it)
	}
	for _, f := range []*paramset.Set{dcm, cdf} {
		a := f.Lookup("a_load")
		if a == nil || a.Kind != "AXIS_PTS" || a.Unit != "%" || len(a.Values) < 2 || a.Values[0] != 20 {
			t.Errorf("%s a_load %+v", f.Source, a)
		}
		if m := f.Lookup("m_ign"); m.Axes[1].Ref != "" && m.Axes[1].Ref != "a_load" {
			t.Errorf("%s m_ign y ref %q", f.Source, m.Axes[1].Ref)
		}
	}
	// Written and read again in every format, every item survives.
	for _, set := range []*paramset.Set{dcm, cdf} {
		for _, f := range formats {
			var buf bytes.Buffer
			skips, err := paramset.Write(&buf, f, set)
			if err != nil || len(skips) > 0 {
				t.Fatalf("%s as %v: %v %v", set.Source, f, skips, err)
			}
			back, err := paramset.Read(&buf, f)
			if err != nil {
				t.Fatalf("%s as %v: %v", set.Source, f, err)
			}
			if d := paramset.Diff(set, back, paramset.DiffOptions{}); len(d) > 0 {
				t.Errorf("%s as %v: %+v", set.Source, f, d)
			}
		}
	}
}

func TestBadFiles(t *testing.T) {
	tests := []struct {
		name, format, text, want string
	}{
		{"dcm version", "dcm", "KONSERVIERUNG_FORMAT 1.0\n", "line 1: KONSERVIERUNG_FORMAT 1.0 not supported"},
		{"dcm no END", "dcm", "KONSERVIERUNG_FORMAT 2.0\nFESTWERT a\n WERT 1\n", "line 2: FESTWERT a has no END"},
		{"dcm bad number", "dcm", "KONSERVIERUNG_FORMAT 2.0\nFESTWERT a\n WERT 1,5\nEND\n", `line 3: "1,5" is not a number`},
		{"dcm count", "dcm", "KONSERVIERUNG_FORMAT 2.0\nKENNLINIE k 3\n ST/X 1 2 3\n WERT 1 2\nEND\n", "line 2: KENNLINIE k: 2 values, header says 3"},
		{"dcm axis count", "dcm", "KONSERVIERUNG_FORMAT 2.0\nKENNLINIE k 3\n ST/X 1 2\n WERT 1 2 3\nEND\n", "line 2: KENNLINIE k: 2 ST/X points, header says 3"},
		{"dcm rows", "dcm", "KONSERVIERUNG_FORMAT 2.0\nKENNFELD m 2 2\n ST/X 1 2\n ST/Y 1\n WERT 1 2\nEND\n", "1 ST/Y rows, header says 2"},
		{"dcm unknown keyword", "dcm", "KONSERVIERUNG_FORMAT 2.0\nFESTWERT a\n WERT 1\n FOO 2\nEND\n", `line 4: FESTWERT a: unexpected "FOO"`},
		{"dcm outside", "dcm", "KONSERVIERUNG_FORMAT 2.0\nWERT 1\n", `line 2: unexpected "WERT" outside an object`},
		{"dcm dims", "dcm", "KONSERVIERUNG_FORMAT 2.0\nKENNLINIE k x\nEND\n", `dimension "x" is not a count`},
		{"dcm huge dims", "dcm", "KONSERVIERUNG_FORMAT 2.0\nKENNFELD k 1000000 1000000\nEND\n", "ST/Y rows"},
		{"dcm quote", "dcm", "KONSERVIERUNG_FORMAT 2.0\nFESTWERT a\n TEXT \"abc\nEND\n", "line 3: unterminated string"},
		{"dcm empty", "dcm", "* only a comment\n", "not a DCM file"},
		{"dcm duplicate", "dcm", "KONSERVIERUNG_FORMAT 2.0\nFESTWERT a\n WERT 1\nEND\nFESTWERT a\n WERT 2\nEND\n", "a appears twice"},
		{"cdfx broken xml", "cdfx", "<MSRSW><SHORT-NAME>x</SHORT-NAME>", "unexpected EOF"},
		{"cdfx category", "cdfx", "<MSRSW><SW-SYSTEMS><SW-SYSTEM><SW-INSTANCE-SPEC><SW-INSTANCE-TREE><SW-INSTANCE><SHORT-NAME>a</SHORT-NAME><CATEGORY>STRANGE</CATEGORY></SW-INSTANCE></SW-INSTANCE-TREE></SW-INSTANCE-SPEC></SW-SYSTEM></SW-SYSTEMS></MSRSW>", `SW-INSTANCE a: CATEGORY "STRANGE" not supported`},
		{"cdfx number", "cdfx", "<MSRSW><SW-SYSTEMS><SW-SYSTEM><SW-INSTANCE-SPEC><SW-INSTANCE-TREE><SW-INSTANCE><SHORT-NAME>a</SHORT-NAME><CATEGORY>VALUE</CATEGORY><SW-VALUE-CONT><SW-VALUES-PHYS><V>x</V></SW-VALUES-PHYS></SW-VALUE-CONT></SW-INSTANCE></SW-INSTANCE-TREE></SW-INSTANCE-SPEC></SW-SYSTEM></SW-SYSTEMS></MSRSW>", `value "x" of a V element is not a number`},
		{"cdfx ragged", "cdfx", "<MSRSW><SW-SYSTEMS><SW-SYSTEM><SW-INSTANCE-SPEC><SW-INSTANCE-TREE><SW-INSTANCE><SHORT-NAME>a</SHORT-NAME><CATEGORY>MAP</CATEGORY><SW-VALUE-CONT><SW-VALUES-PHYS><VG><V>1</V></VG><VG><V>1</V><V>2</V></VG></SW-VALUES-PHYS></SW-VALUE-CONT></SW-INSTANCE></SW-INSTANCE-TREE></SW-INSTANCE-SPEC></SW-SYSTEM></SW-SYSTEMS></MSRSW>", "value groups of different lengths"},
		{"cdfx charset", "cdfx", `<?xml version="1.0" encoding="EBCDIC"?><MSRSW/>`, `character set "EBCDIC" not supported`},
		{"json format", "json", `{"format":"other","version":1,"items":[]}`, `format "other"`},
		{"json version", "json", `{"format":"goxcp parameter set","version":9,"items":[]}`, "version 9 not supported"},
		{"json field", "json", `{"format":"goxcp parameter set","version":1,"items":[{"name":"a","valeus":[1]}]}`, `unknown field "valeus"`},
		{"json dims", "json", `{"format":"goxcp parameter set","version":1,"items":[{"name":"a","kind":"CURVE","dims":[3],"values":[1,2]}]}`, "2 values, dimensions 3 need 3"},
		{"json no values", "json", `{"format":"goxcp parameter set","version":1,"items":[{"name":"a","kind":"VALUE"}]}`, "a: no values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := paramset.ParseFormat(tt.format)
			if err != nil {
				t.Fatal(err)
			}
			_, err = paramset.Read(strings.NewReader(tt.text), f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestWriteFileAndFormats(t *testing.T) {
	dir := t.TempDir()
	set := &paramset.Set{Items: []*paramset.Item{{Name: "c", Kind: "CUBOID", Dims: []int{1, 1, 2}, Values: []float64{1, 2},
		Axes: []*paramset.Axis{{Kind: "STD_AXIS", Values: []float64{0}}, {Kind: "STD_AXIS", Values: []float64{0}}, {Kind: "STD_AXIS", Values: []float64{0, 1}}}}}}
	skips, err := paramset.WriteFile(filepath.Join(dir, "set.dcm"), set)
	if err != nil || len(skips) != 1 || !strings.Contains(skips[0].Reason, "DCM cannot hold") {
		t.Fatalf("dcm cuboid: %v %v", skips, err)
	}
	for _, ext := range []string{"cdfx", "json"} {
		p := filepath.Join(dir, "set."+ext)
		if skips, err := paramset.WriteFile(p, set); err != nil || len(skips) > 0 {
			t.Fatalf("%s: %v %v", ext, skips, err)
		}
		back, err := paramset.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if d := paramset.Diff(set, back, paramset.DiffOptions{}); len(d) > 0 {
			t.Errorf("%s cuboid: %+v", ext, d)
		}
	}
	if _, err := paramset.WriteFile(filepath.Join(dir, "set.txt"), set); err == nil {
		t.Error("set.txt: no error")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("files left: %v (temporary files must be removed)", entries)
	}
}

func TestDiff(t *testing.T) {
	a := &paramset.Set{Items: []*paramset.Item{
		{Name: "c", Kind: "CURVE", Unit: "rpm", Dims: []int{2}, Values: []float64{1, 2}, Axes: []*paramset.Axis{{Values: []float64{0, 10}}}},
		{Name: "m", Kind: "VALUE", Text: []string{"ECO"}},
		{Name: "only_a", Kind: "VALUE", Values: []float64{1}},
		{Name: "s", Kind: "ASCII", String: ptr("x")},
	}}
	b := &paramset.Set{Items: []*paramset.Item{
		{Name: "c", Kind: "CURVE", Unit: "rpm", Dims: []int{2}, Values: []float64{1, 2.0001}, Axes: []*paramset.Axis{{Values: []float64{0, 20}}}},
		{Name: "m", Kind: "VALUE", Text: []string{"SPORT"}},
		{Name: "only_b", Kind: "VALUE", Values: []float64{1}},
		{Name: "s", Kind: "ASCII", String: ptr("y")},
	}}
	got := paramset.Diff(a, b, paramset.DiffOptions{})
	var lines []string
	for _, d := range got {
		lines = append(lines, d.Name+" "+d.State+" "+strings.Join(d.Details, "; "))
	}
	want := []string{
		"c changed [1] 2 -> 2.0001 rpm; x[1] 10 -> 20",
		"m changed [0] ECO -> SPORT",
		"only_a only-a ",
		"only_b only-b ",
		`s changed "x" -> "y"`,
	}
	if d := cmp.Diff(want, lines); d != "" {
		t.Errorf("Diff (-want +got):\n%s", d)
	}
	if got := paramset.Diff(a, b, paramset.DiffOptions{Tolerance: 0.001, Names: []string{"c"}}); len(got) != 1 || len(got[0].Details) != 1 {
		t.Errorf("with tolerance: %+v", got)
	}
}
