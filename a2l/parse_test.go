package a2l_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l"
)

func wrap(body string) string {
	return "ASAP2_VERSION 1 71\n/begin PROJECT p \"\"\n/begin MODULE m \"\"\n" + body + "\n/end MODULE\n/end PROJECT\n"
}

func parse(t *testing.T, src string) *a2l.Module {
	t.Helper()
	f, err := a2l.ParseString("t.a2l", src, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return f.Modules[0]
}

func TestStrictErrorsNamePosition(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"bad datatype", wrap(`/begin MEASUREMENT x "" UBYTEX NO_COMPU_METHOD 0 0 0 1 /end MEASUREMENT`), `t.a2l:4:25: expected data type`},
		{"missing end", wrap(`/begin MEASUREMENT x "" UBYTE NO_COMPU_METHOD 0 0 0 1`), `t.a2l:5:6: expected MEASUREMENT after /end, found identifier "MODULE"`},
		{"wrong end", wrap(`/begin MEASUREMENT x "" UBYTE NO_COMPU_METHOD 0 0 0 1 /end CHARACTERISTIC`), `t.a2l:4:60: expected MEASUREMENT after /end, found identifier "CHARACTERISTIC"`},
		{"unterminated string", wrap(`/begin MEASUREMENT x "abc`), `t.a2l:4:22: unterminated string`},
		{"unterminated comment", wrap(`/* abc`), `t.a2l:4:1: unterminated /* comment`},
		{"bad number", wrap(`/begin MEASUREMENT x "" UBYTE NO_COMPU_METHOD 0 0 0 12abc /end MEASUREMENT`), `t.a2l:4:53: malformed number "12abc"`},
		{"unknown keyword", wrap(`/begin MEASUREMENT x "" UBYTE NO_COMPU_METHOD 0 0 0 1 FOO 1 /end MEASUREMENT`), `t.a2l:4:55: unexpected keyword FOO in MEASUREMENT`},
		{"unknown block", wrap(`/begin FOO x /end FOO`), `t.a2l:4:8: unexpected block FOO in MODULE`},
		{"address range", wrap(`/begin MEASUREMENT x "" UBYTE NO_COMPU_METHOD 0 0 0 1 ECU_ADDRESS 0x100000000 /end MEASUREMENT`), `t.a2l:4:67: ECU_ADDRESS 4294967296 out of range`},
		{"axis count", wrap(`/begin CHARACTERISTIC c "" CURVE 0 L 0 NO_COMPU_METHOD 0 1 /end CHARACTERISTIC`), `t.a2l:4:8: CURVE c has 0 AXIS_DESCR, expected 1`},
		{"linear coeffs", wrap(`/begin COMPU_METHOD c "" LINEAR "%f" "" /end COMPU_METHOD`), `COMPU_METHOD c of type LINEAR needs COEFFS_LINEAR`},
		{"no project", "ASAP2_VERSION 1 71\n", `t.a2l:2:1: expected /begin PROJECT, found end of file`},
		{"garbage", "ASAP2_VERSION 1 71 @", `t.a2l:1:20: unexpected character '@'`},
		{"undefined conversion", wrap(`/begin MEASUREMENT x "" UBYTE conv 0 0 0 1 /end MEASUREMENT`), `t.a2l:4:8: MEASUREMENT x refers to COMPU_METHOD conv, which is not defined`},
		{"undefined layout", wrap(`/begin CHARACTERISTIC c "" VALUE 0 RL 0 NO_COMPU_METHOD 0 1 /end CHARACTERISTIC`), `CHARACTERISTIC c refers to RECORD_LAYOUT RL, which is not defined`},
		{"undefined vtab", wrap(`/begin COMPU_METHOD c "" TAB_VERB "%d" "" COMPU_TAB_REF t /end COMPU_METHOD`), `COMPU_METHOD c refers to COMPU_VTAB t`},
		{"undefined typedef", wrap(`/begin INSTANCE i "" T 0 /end INSTANCE`), `INSTANCE i refers to typedef T, which is not defined`},
		{"recursive struct", wrap(`/begin TYPEDEF_STRUCTURE s "" 4 /begin STRUCTURE_COMPONENT a s 0 /end STRUCTURE_COMPONENT /end TYPEDEF_STRUCTURE`), `TYPEDEF_STRUCTURE s contains itself through component a`},
		{"fix axis over max", wrap(`/begin CHARACTERISTIC c "" CURVE 0 L 0 NO_COMPU_METHOD 0 1 /begin AXIS_DESCR FIX_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 8 0 7 FIX_AXIS_PAR_DIST 0 1 2000000000 /end AXIS_DESCR /end CHARACTERISTIC`), `FIX_AXIS_PAR_DIST has 2000000000 axis points, more than the axis maximum 8`},
		// A bogus entry count must fail on the missing entries, not reserve
		// memory for two billion of them first.
		{"table count beyond file", wrap(`/begin COMPU_TAB t "" TAB_INTP 2147483647 1 2 /end COMPU_TAB`), `expected table input value, found /end`},
		{"vtab count beyond file", wrap(`/begin COMPU_VTAB t "" TAB_VERB 2147483647 1 "a" /end COMPU_VTAB`), `expected table input value, found /end`},
		{"vtab range count beyond file", wrap(`/begin COMPU_VTAB_RANGE t "" 2147483647 1 2 "a" /end COMPU_VTAB_RANGE`), `expected range minimum, found /end`},
		{"include missing", wrap(`/include "nothere.aml"`), `t.a2l:4:10: cannot read include file`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a2l.ParseString("t.a2l", tc.src, a2l.Options{})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			var p *a2l.Problem
			if !errors.As(err, &p) || !errors.Is(err, a2l.ErrSyntax) {
				t.Errorf("error %T is not a *Problem", err)
			}
		})
	}
}

func TestLenientKeepsGoodObjects(t *testing.T) {
	src := wrap(`
/begin MEASUREMENT good1 "" UBYTE NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS 0x10 /end MEASUREMENT
/begin MEASUREMENT bad "" NOTATYPE NO_COMPU_METHOD 0 0 0 255 /begin IF_DATA XCP /end IF_DATA ECU_ADDRESS 0x11 /end MEASUREMENT
/begin MEASUREMENT good2 "" UWORD NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS 0x12 FOO 1 2 /end MEASUREMENT
/begin CHARACTERISTIC c "" VALUE 0x20 L 0 NO_COMPU_METHOD 0 1 /end CHARACTERISTIC
/begin RECORD_LAYOUT L FNC_VALUES 1 UBYTE ROW_DIR DIRECT /end RECORD_LAYOUT`)
	f, err := a2l.ParseString("t.a2l", src, a2l.Options{Lenient: true})
	if err != nil {
		t.Fatal(err)
	}
	m := f.Modules[0]
	if m.Measurement("good1") == nil || m.Measurement("good2") == nil || m.Characteristic("c") == nil {
		t.Errorf("good objects lost: %v", m.Names())
	}
	if m.Measurement("bad") != nil {
		t.Error("bad object kept")
	}
	if m.Measurement("good2").Address != 0x12 {
		t.Error("good2 address")
	}
	if len(f.Problems) != 2 {
		t.Fatalf("problems = %v", f.Problems)
	}
	if !strings.Contains(f.Problems[0].Error(), "t.a2l:6:27: expected data type") || !strings.Contains(f.Problems[1].Error(), "t.a2l:7:78: unexpected keyword FOO") {
		t.Errorf("problems = %v", f.Problems)
	}
	if f.Err() == nil {
		t.Error("Err() nil")
	}
	// Strict mode fails on the first of them.
	if _, err := a2l.ParseString("t.a2l", src, a2l.Options{}); err == nil || !strings.Contains(err.Error(), "6:27") {
		t.Errorf("strict: %v", err)
	}
}

// An A2L fetched from a slave (XCPlite's GET_ID 4) includes an A2ML file
// that is not beside it; lenient parsing reports it and keeps the module.
func TestLenientMissingInclude(t *testing.T) {
	src := wrap(`/include "XCP_104.aml"
/begin MEASUREMENT after "" UBYTE NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS 0x10 /end MEASUREMENT`)
	f, err := a2l.ParseString("dir/t.a2l", src, a2l.Options{Lenient: true, ReadFile: func(name string) ([]byte, error) {
		return nil, fmt.Errorf("open %s: no such file", name)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Modules) != 1 || f.Modules[0].Measurement("after") == nil || f.Modules[0].Measurement("after").Address != 0x10 {
		t.Fatalf("module content after the missing include lost: %+v", f.Modules)
	}
	if len(f.Problems) != 1 || !strings.Contains(f.Problems[0].Error(), "dir/t.a2l:4:10: cannot read include file: open dir/XCP_104.aml") {
		t.Errorf("problems = %v", f.Problems)
	}
}

func TestLenientTruncatedFile(t *testing.T) {
	src := wrap(`/begin MEASUREMENT a "" UBYTE NO_COMPU_METHOD 0 0 0 255 /end MEASUREMENT`)
	for n := 0; n < len(src); n += 7 {
		f, err := a2l.ParseString("t.a2l", src[:n], a2l.Options{Lenient: true})
		if err != nil || f == nil {
			t.Fatalf("lenient truncated at %d: %v", n, err)
		}
		if len(f.Problems) == 0 {
			t.Errorf("truncated at %d: no problem reported", n)
		}
		if _, err := a2l.ParseString("t.a2l", src[:n], a2l.Options{}); err == nil {
			t.Errorf("strict truncated at %d: no error", n)
		}
	}
}

func TestIncludeAndComments(t *testing.T) {
	files := map[string]string{
		"dir/main.a2l": wrap(`// line comment /begin
/* block
   comment */ /include "sub/inc.a2l"
/include other.a2l`),
		"dir/sub/inc.a2l": `/begin MEASUREMENT "a" "" UBYTE NO_COMPU_METHOD 0 0 0 255 /end MEASUREMENT`,
		"dir/other.a2l":   `/begin A2ML struct x { "/end A2ML" ; }; /* /end A2ML */ /end A2ML /begin MEASUREMENT b "q""uote\"" UBYTE NO_COMPU_METHOD 0 0 0 1 /end MEASUREMENT`,
	}
	read := func(name string) ([]byte, error) {
		s, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("no file %s", name)
		}
		return []byte(s), nil
	}
	_, err := a2l.ParseFile("dir/main.a2l", a2l.Options{ReadFile: read})
	// "a" is a string where an identifier is expected: the position names the included file.
	if err == nil || !strings.HasPrefix(err.Error(), "dir/sub/inc.a2l:1:20: expected measurement name") {
		t.Fatalf("err = %v", err)
	}
	files["dir/sub/inc.a2l"] = `/begin MEASUREMENT a "" UBYTE NO_COMPU_METHOD 0 0 0 255 /end MEASUREMENT`
	f, err := a2l.ParseFile("dir/main.a2l", a2l.Options{ReadFile: read})
	if err != nil {
		t.Fatal(err)
	}
	m := f.Modules[0]
	if m.Measurement("a") == nil || m.Measurement("b") == nil {
		t.Fatal("included objects missing")
	}
	if got := m.Measurement("b").LongID; got != `q"uote"` {
		t.Errorf("long id = %q", got)
	}
	if !strings.Contains(m.A2ML, `"/end A2ML"`) {
		t.Errorf("A2ML = %q", m.A2ML)
	}
	if p := m.Measurement("a").Pos; p.File != "dir/sub/inc.a2l" || p.Line != 1 || p.Col != 8 {
		t.Errorf("pos = %v", p)
	}
	// Recursive include is stopped.
	files["dir/sub/inc.a2l"] = `/include "inc.a2l"`
	if _, err := a2l.ParseFile("dir/main.a2l", a2l.Options{ReadFile: read}); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("recursive include: %v", err)
	}
}

func TestDuplicatesKeepFirst(t *testing.T) {
	src := wrap(`/begin MEASUREMENT a "" UBYTE NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS 0x10 /end MEASUREMENT
/begin MEASUREMENT b "" UBYTE NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS 0x20 /end MEASUREMENT
/begin MEASUREMENT a "" UBYTE NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS 0x10 /end MEASUREMENT
/begin MEASUREMENT b "" UBYTE NO_COMPU_METHOD 0 0 0 255 ECU_ADDRESS 0x30 /end MEASUREMENT
/begin INSTANCE i "" T 0x100 /end INSTANCE /begin INSTANCE i "" T 0x200 /end INSTANCE
/begin TYPEDEF_MEASUREMENT T "" UBYTE NO_COMPU_METHOD 0 0 0 255 /end TYPEDEF_MEASUREMENT`)
	f, err := a2l.ParseString("t.a2l", src, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := f.Modules[0]
	if len(m.Measurements) != 2 || m.Measurement("b").Address != 0x20 || m.Instance("i").Address != 0x100 {
		t.Errorf("kept %d measurements, b at 0x%X, i at 0x%X", len(m.Measurements), m.Measurement("b").Address, m.Instance("i").Address)
	}
	var got []string
	for _, w := range f.Warnings {
		got = append(got, w.Error())
	}
	want := []string{
		"t.a2l:6:8: MEASUREMENT a repeats the identical definition at t.a2l:4:8",
		"t.a2l:7:8: MEASUREMENT b is defined again, differently (first definition at t.a2l:5:8 is used)",
		"t.a2l:8:51: INSTANCE i is defined again, differently (first definition at t.a2l:8:8 is used)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBogusCountReservesLittle checks that a table count far beyond what
// the file holds costs memory in proportion to the file, not the count.
func TestBogusCountReservesLittle(t *testing.T) {
	src := wrap(`/begin COMPU_TAB t "" TAB_INTP 2147483647 1 2 /end COMPU_TAB`)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := a2l.ParseString("t.a2l", src, a2l.Options{}); err == nil {
		t.Fatal("no error for a truncated table")
	}
	runtime.ReadMemStats(&after)
	if d := after.TotalAlloc - before.TotalAlloc; d > 64<<20 {
		t.Fatalf("parsing a %d-byte file allocated %d MB", len(src), d>>20)
	}
}

// TestReadFileBufferNotRetained: a buffer from Options.ReadFile belongs to
// the caller, who may reuse it; the parsed model must not change with it.
func TestReadFileBufferNotRetained(t *testing.T) {
	buf := []byte(wrap(`/begin MEASUREMENT speed "" UBYTE NO_COMPU_METHOD 0 0 0 1 /end MEASUREMENT`))
	f, err := a2l.ParseFile("x.a2l", a2l.Options{ReadFile: func(string) ([]byte, error) { return buf, nil }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		buf[i] = 'Z'
	}
	if m := f.Modules[0].Measurement("speed"); m == nil || m.Name != "speed" {
		t.Fatalf("after the caller reused its buffer the model reads %+v", m)
	}
}
