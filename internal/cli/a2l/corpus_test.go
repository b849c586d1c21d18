package a2l_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	asap2 "github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/a2ltest"
	"github.com/goxcp/goxcp/a2linfo"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/internal/cli/xcptest"
)

// corpusFiles are the top-level files of ../shared/a2l/corpus (fragments
// that only make sense /included are left out) with what SOURCES.md says
// about them: valid files have no defects; invalid ones list "LINE:text"
// of the problems that must be reported, and lost the objects at the
// broken spots that lenient parsing cannot recover.
var corpusFiles = []struct {
	file    string
	defects []string
	lost    []string
}{
	{file: "ASAP2_Demo_V171.a2l"},
	{file: "ASAP2_Demo_V171_allKeywords.a2l", defects: []string{
		`2862:unexpected characters "â€ž"`, // SOURCES.md: mojibake in a string context
		// Further defects the file has beyond SOURCES.md's note:
		`2888:expected conversion type`,               // " "nothing" " as a long identifier
		`3695:expected keyword or /end RECORD_LAYOUT`, // RECORD_LAYOUT without a name
		`5160:CURVE F_INJ_COR has 0 AXIS_DESCR`,
		`6310:expected long identifier`, // GROUP without one
	}, lost: []string{
		"COMPU_METHOD CM.IDENTICAL", // its long identifier is broken
		"GROUP group_1",             // no long identifier
		"RECORD_LAYOUT FNC_VALUES",  // no name: the scan below takes its first keyword for one
	}},
	{file: "FCR-21_Dev.A2L"},
	{file: "GDI-2.A2L", defects: []string{
		// SOURCES.md says line 5076, the line of the method's type; the
		// reference itself is on 5077.
		`5077:COMPU_METHOD FW_Version.Conversion refers to COMPU_TAB __, which is not defined`,
	}},
	{file: "Luncher91_freeTest.a2l", defects: []string{
		`12:expected long identifier`, // BLOB i am not parsed neither
		`55:CUBE_5 char_a has 1 AXIS_DESCR, expected 5`,
		`68:FIX_AXIS_PAR_DIST has 32 axis points, more than the axis maximum 22`,
		`109:CUBE_5 char_b has 0 AXIS_DESCR`, // after a backslash-newline in a string
	}, lost: []string{"BLOB i"}},
	{file: "NCU-SW_test.a2l"},
	{file: "NCU-SW_test_handwritten.a2l", defects: []string{`20:PROTOCOL_LAYER: expected T3`}},
	{file: "SuterFADEC.A2L", defects: []string{`3639:CHARACTERISTIC AnaIn0Output: COM_AXIS without AXIS_PTS_REF`}},
	{file: "a2ltool_from_source.a2l", defects: []string{`10:refers to RECORD_LAYOUT CurveLayout, which is not defined`}},
	{file: "a2ltool_software_b.a2l"},
	{file: "a2ltool_xcp_test.a2l"},
	{file: "andrey_iAPU.a2l"},
	{file: "domohuhn_example-ecu.a2l"},
	{file: "domohuhn_xcp-sim/xcp-sim.a2l"},
	{file: "kallemooo_testFile.a2l", defects: []string{`151:unexpected character '–' (U+2013)`}},
	{file: "luncher91_include/includeTest.a2l", defects: []string{
		`3:expected long identifier`, // includeModule.a2l: the same torture module
		`14:expected long identifier`,
	}, lost: []string{"BLOB i"}},
	{file: "xcplite_rs/all_features_demo.a2l"},
	{file: "xcplite_rs/xcp_lite_autodetect.a2l"},
}

// TestCorpus walks the real-world corpus: every valid file passes
// `xcp a2l check` and every object in it resolves through `xcp a2l show`
// and the calibration-by-name API; every invalid file reports its defects
// at their lines, and lenient parsing recovers every object outside the
// broken spots. It logs, per file, the objects found, warnings, problems
// and parse time (go test -v -run Corpus ./internal/cli/a2l).
func TestCorpus(t *testing.T) {
	dir := a2ltest.Corpus(t)
	var listed []string
	for _, c := range corpusFiles {
		listed = append(listed, c.file)
	}
	// Every top-level file of the corpus is in the table.
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if ext := strings.ToLower(filepath.Ext(path)); ext != ".a2l" || isFragment(path) {
			return nil
		}
		if !slices.Contains(listed, filepath.ToSlash(rel)) {
			t.Errorf("%s is not in the corpus table", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n| file | objects | warnings | problems | parse time |\n|---|---|---|---|---|\n")
	for _, c := range corpusFiles {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join(dir, filepath.FromSlash(c.file))
			code, out, errOut := xcptest.Run("a2l", "check", "--json", path)
			var r a2linfo.CheckReport
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("check --json: %v\nstdout %s\nstderr %s", err, out, errOut)
			}
			valid := c.defects == nil
			if valid && (code != 0 || !r.OK) {
				t.Errorf("valid file: check exit %d, problems:\n%s", code, strings.Join(r.Problems, "\n"))
			}
			if !valid {
				if code == 0 || r.OK {
					t.Errorf("invalid file passes check")
				}
				for _, want := range c.defects {
					line, text, _ := strings.Cut(want, ":")
					if !slices.ContainsFunc(r.Problems, func(p string) bool {
						return strings.Contains(strings.ToLower(p), ".a2l:"+line+":") && strings.Contains(p, text)
					}) {
						t.Errorf("no problem %q at line %s in:\n%s", text, line, strings.Join(r.Problems, "\n"))
					}
				}
			}
			start := time.Now()
			f, err := asap2.ParseFile(path, asap2.Options{Lenient: true})
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			// Lenient parsing recovers every object the file declares but
			// those at the documented broken spots.
			want, err := declared(path)
			if err != nil {
				t.Fatal(err)
			}
			got := parsed(f)
			var lost []string
			for k := range want {
				if !got[k] {
					lost = append(lost, k)
				}
			}
			slices.Sort(lost)
			if fmt.Sprint(lost) != fmt.Sprint(c.lost) {
				t.Errorf("lenient parsing lost %v, want %v", lost, c.lost)
			}
			objects := 0
			for _, m := range f.Modules {
				names := m.Names()
				objects += len(names)
				if !valid {
					continue
				}
				for _, n := range names {
					if _, err := a2linfo.Describe(m, n); err != nil {
						t.Errorf("show %s: %v", n, err)
						continue
					}
					d, err := cal.Describe(m, n)
					if err != nil {
						t.Errorf("cal %s: %v", n, err)
						continue
					}
					if _, err := d.Read(context.Background(), zeroMemory{}); err != nil {
						t.Errorf("cal read %s: %v", n, err)
					}
				}
			}
			if objects == 0 && len(want) > 0 {
				t.Error("no objects")
			}
			fmt.Fprintf(&table, "| %s | %d | %d | %d | %.2f ms |\n", c.file, objects, len(r.Warnings), len(r.Problems), float64(elapsed.Microseconds())/1000)
		})
	}
	t.Log(table.String())
}

// isFragment reports whether an A2L file is a MODULE or object fragment
// meant to be /included (it has no PROJECT).
func isFragment(path string) bool {
	b, err := os.ReadFile(path)
	return err == nil && !regexp.MustCompile(`/begin\s+PROJECT`).Match(b)
}

var (
	comments    = regexp.MustCompile(`(?s)/\*.*?\*/|//[^\n]*`)
	objectBegin = regexp.MustCompile(`/begin\s+(MEASUREMENT|CHARACTERISTIC|AXIS_PTS|BLOB|INSTANCE|COMPU_METHOD|RECORD_LAYOUT|GROUP|FUNCTION)\s+([^\s"]+)`)
	includeRe   = regexp.MustCompile(`/include\s+"?([^\s"]+)"?`)
)

// declared lists "KIND name" of the objects the file (and what it
// /includes) declares, found by a plain text scan independent of the
// parser.
func declared(path string) (map[string]bool, error) {
	out := map[string]bool{}
	var scan func(string, int) error
	scan = func(p string, depth int) error {
		b, err := os.ReadFile(p)
		if err != nil || depth > 4 {
			return err
		}
		s := comments.ReplaceAllString(strings.TrimPrefix(string(b), "\uFEFF"), " ")
		for _, m := range objectBegin.FindAllStringSubmatch(s, -1) {
			out[m[1]+" "+m[2]] = true
		}
		for _, m := range includeRe.FindAllStringSubmatch(s, -1) {
			if strings.HasSuffix(strings.ToLower(m[1]), ".a2l") {
				if err := scan(filepath.Join(filepath.Dir(p), m[1]), depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return out, scan(path, 0)
}

// parsed lists "KIND name" of the objects in the parsed file.
func parsed(f *asap2.File) map[string]bool {
	out := map[string]bool{}
	add := func(kind, name string) { out[kind+" "+name] = true }
	for _, m := range f.Modules {
		for _, v := range m.Measurements {
			add("MEASUREMENT", v.Name)
		}
		for _, v := range m.Characteristics {
			add("CHARACTERISTIC", v.Name)
		}
		for _, v := range m.AxisPts {
			add("AXIS_PTS", v.Name)
		}
		for _, v := range m.Blobs {
			add("BLOB", v.Name)
		}
		for _, v := range m.Instances {
			add("INSTANCE", v.Name)
		}
		for _, v := range m.CompuMethods {
			add("COMPU_METHOD", v.Name)
		}
		for _, v := range m.RecordLayouts {
			add("RECORD_LAYOUT", v.Name)
		}
		for _, v := range m.Groups {
			add("GROUP", v.Name)
		}
		for _, v := range m.Functions {
			add("FUNCTION", v.Name)
		}
	}
	return out
}

// zeroMemory is ECU memory that reads as zeros.
type zeroMemory struct{}

func (zeroMemory) Read(_ context.Context, _ uint32, _ uint8, n int) ([]byte, error) {
	return make([]byte, n), nil
}

func (zeroMemory) Write(context.Context, uint32, uint8, []byte) error { return nil }

// A FORM formula needing run-time context (CANape's time(), phy()) is a
// warning, not a problem, and the object still shows; sysc() takes
// MOD_PAR's SYSTEM_CONSTANT; an unknown constant is a problem at the
// COMPU_METHOD.
func TestCheckFormulaExtensions(t *testing.T) {
	src := `ASAP2_VERSION 1 71
/begin PROJECT p ""
/begin MODULE m ""
/begin MOD_PAR "" SYSTEM_CONSTANT "gain" "2.5" /end MOD_PAR
/begin COMPU_METHOD t "" FORM "%6.2" "s" /begin FORMULA "phy(X1) + time(X1)" /end FORMULA /end COMPU_METHOD
/begin COMPU_METHOD g "" FORM "%6.2" "" /begin FORMULA "max(X1, 1, 2) * sysc(gain)" /end FORMULA /end COMPU_METHOD
/begin MEASUREMENT a "" UBYTE t 0 0 0 255 ECU_ADDRESS 0x10 /end MEASUREMENT
/begin MEASUREMENT b "" UBYTE g 0 0 0 255 ECU_ADDRESS 0x11 /end MEASUREMENT
/end MODULE
/end PROJECT
`
	path := filepath.Join(t.TempDir(), "f.a2l")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := xcptest.Run("a2l", "check", "--json", path)
	var r a2linfo.CheckReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s %s", err, out, errOut)
	}
	if code != 0 || len(r.Problems) != 0 || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "f.a2l:5:8: COMPU_METHOD t: formula \"phy(X1) + time(X1)\" uses phy()") {
		t.Errorf("exit %d, problems %q, warnings %q", code, r.Problems, r.Warnings)
	}
	code, out, _ = xcptest.Run("--a2l", path, "a2l", "show", "a")
	if code != 0 || !strings.Contains(out, "needs the measurement's run-time context") {
		t.Errorf("show a: exit %d\n%s", code, out)
	}
	f, err := asap2.ParseFile(path, asap2.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := cal.Read(context.Background(), f.Modules[0], constMemory(3), "b")
	if err != nil || v.Phys[0] != 7.5 {
		t.Errorf("b = %v, %v; want 7.5", v, err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(src, "sysc(gain)", "sysc(gain2)", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = xcptest.Run("a2l", "check", "--json", path)
	if err := json.Unmarshal([]byte(out), &r); err != nil || code == 0 || len(r.Problems) != 1 || !strings.Contains(r.Problems[0], `f.a2l:6:8: conv: COMPU_METHOD g`) {
		t.Errorf("unknown constant: exit %d, %q", code, r.Problems)
	}
}

// constMemory reads as bytes of one value.
type constMemory byte

func (c constMemory) Read(_ context.Context, _ uint32, _ uint8, n int) ([]byte, error) {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(c)
	}
	return b, nil
}

func (constMemory) Write(context.Context, uint32, uint8, []byte) error { return nil }

// In `xcp a2l list`, an object's long problem text goes to a table of its
// own: it does not widen the columns of every other row.
func TestListProblemsDoNotWidenColumns(t *testing.T) {
	src := `ASAP2_VERSION 1 71
/begin PROJECT p ""
/begin MODULE m ""
/begin MEASUREMENT good "" UBYTE NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS 0x10 /end MEASUREMENT
/begin MEASUREMENT broken_one "" UBYTE this_compu_method_is_missing_from_the_file 0 0 0 255 ECU_ADDRESS 0x11 /end MEASUREMENT
/end MODULE
/end PROJECT
`
	path := filepath.Join(t.TempDir(), "l.a2l")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := xcptest.Run("--a2l", path, "a2l", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var goodLine, problemLine string
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.Contains(l, "good"):
			goodLine = l
		case strings.Contains(l, "broken_one") && strings.Contains(l, "this_compu_method_is_missing_from_the_file"):
			problemLine = l
		}
	}
	if goodLine == "" || problemLine == "" || !strings.Contains(out, "1 object(s) with a problem") {
		t.Fatalf("list output:\n%s", out)
	}
	// Before, the TYPE column was as wide as "error: " + the whole message.
	msg := "values: broken_one: conv: COMPU_METHOD this_compu_method_is_missing_from_the_file not found"
	if !strings.Contains(problemLine, msg) || len(strings.TrimRight(goodLine, " ")) >= len(msg) {
		t.Errorf("the good row is as wide as the problem text:\n%s", out)
	}
}
