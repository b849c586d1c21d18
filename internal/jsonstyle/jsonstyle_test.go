package jsonstyle_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/internal/jsonstyle"
)

func TestIsSnake(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want bool
	}{
		{"max_cto", true}, {"a", true}, {"t1_ns", true}, {"ipv6", true},
		{"", false}, {"Lower", false}, {"missingOdts", false}, {"CAL/PAG", false}, {"_x", false}, {"1st", false}, {"a-b", false},
	} {
		if got := jsonstyle.IsSnake(tc.key); got != tc.want {
			t.Errorf("IsSnake(%q) = %v, want %v", tc.key, got, tc.want)
		}
	}
}

type inner struct {
	Lower float64
	Upper float64 `json:"upper"`
}

type stamp struct{ Sec int }

func (stamp) MarshalJSON() ([]byte, error) { return []byte("0"), nil }

type outer struct {
	inner                     // promoted: Lower is bad
	Name     string           `json:"name"`
	Odts     int              `json:"missingOdts"`
	Skipped  int              `json:"-"`
	Keep     int              `json:",omitempty"` // empty name: Go name
	Items    []*inner         `json:"items"`
	ByName   map[string]inner `json:"by_name"`
	When     stamp            `json:"when"` // own MarshalJSON: not looked into
	Duration time.Duration    `json:"duration_ns"`
	hidden   int              // unexported: not written
}

var _ = outer{hidden: 1}.hidden

func TestCheckType(t *testing.T) {
	got := jsonstyle.CheckType(reflect.TypeFor[outer]())
	want := []string{
		`jsonstyle_test.inner.Lower: "Lower"`,
		`jsonstyle_test.outer.Odts: "missingOdts"`,
		`jsonstyle_test.outer.Keep: "Keep"`,
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("CheckType:\n got %q\nwant %q", got, want)
	}
	if bad := jsonstyle.CheckType(reflect.TypeFor[[]map[string]*struct {
		A int `json:"a_b"`
	}]()); len(bad) != 0 {
		t.Errorf("clean type: %q", bad)
	}
}

func TestCheckJSON(t *testing.T) {
	for _, tc := range []struct {
		name, js string
		data     []string
		want     []string
		err      string
	}{
		{name: "clean", js: `{"a":1,"b_c":[{"d":2}]}`},
		{name: "nested", js: `{"a":{"Lower":1},"l":[{"missingOdts":0,"ok":1}]}`, want: []string{"a.Lower", "l[].missingOdts"}},
		{name: "data map", js: `{"values":{"EngineSpeed":{"raw":1,"Unit":"x"}}}`, data: []string{"values"}, want: []string{"values.*.Unit"}},
		{name: "json lines", js: "{\"t\":1}\n{\"T\":2}\n", want: []string{"T"}},
		{name: "top-level array", js: `[{"A":1},{"a":2}]`, want: []string{"[].A"}},
		{name: "scalar", js: `42`},
		{name: "empty", js: ``, err: "no JSON value"},
		{name: "broken", js: `{"a":`, err: "value 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := jsonstyle.CheckJSON([]byte(tc.js), tc.data...)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestTagsInSource: every json struct tag in the module's non-test Go
// files names a snake_case key, and a struct with any json tag tags all
// its exported fields (an untagged field would be written under its Go
// name). Keys only read, for files written before (the structs declared
// inside an UnmarshalJSON method, or a field marked with the comment
// "// old key"), may keep their old style.
func TestTagsInSource(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n != ".." && n != "." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		for _, p := range checkFile(fset, f) {
			t.Errorf("%s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func checkFile(fset *token.FileSet, f *ast.File) []string {
	cmap := ast.NewCommentMap(fset, f, f.Comments)
	var bad []string
	ast.Inspect(f, func(n ast.Node) bool {
		if fd, ok := n.(*ast.FuncDecl); ok && fd.Recv != nil && fd.Name.Name == "UnmarshalJSON" {
			return false // reads old keys too; writes nothing
		}
		st, ok := n.(*ast.StructType)
		if !ok {
			return true
		}
		tagged := false
		for _, fl := range st.Fields.List {
			if fl.Tag != nil && strings.Contains(fl.Tag.Value, `json:"`) {
				tagged = true
			}
		}
		if !tagged {
			return true
		}
		for _, fl := range st.Fields.List {
			pos := fset.Position(fl.Pos())
			where := filepath.ToSlash(pos.Filename) + ":" + strconv.Itoa(pos.Line)
			if fl.Tag == nil || !strings.Contains(fl.Tag.Value, `json:"`) {
				for _, nm := range fl.Names {
					if nm.IsExported() {
						bad = append(bad, where+": "+nm.Name+" has no json tag (written as "+strconv.Quote(nm.Name)+")")
					}
				}
				continue
			}
			tag, _ := strconv.Unquote(fl.Tag.Value)
			js := reflect.StructTag(tag).Get("json")
			name, _, _ := strings.Cut(js, ",")
			if name == "-" || (name == "" && len(fl.Names) == 0) {
				continue
			}
			if name == "" || jsonstyle.IsSnake(name) || oldKey(cmap[fl]) {
				continue
			}
			bad = append(bad, where+": json key "+strconv.Quote(name)+" is not snake_case")
		}
		return true
	})
	return bad
}

func oldKey(groups []*ast.CommentGroup) bool {
	for _, g := range groups {
		if strings.Contains(g.Text(), "old key") {
			return true
		}
	}
	return false
}

func TestCheckFile(t *testing.T) {
	const src = `package p

type good struct {
	A int ` + "`json:\"a_b\"`" + `
	b int
	C int ` + "`json:\"-\"`" + `
}

type bad struct {
	A int ` + "`json:\"camelCase\"`" + `
	B int
	Old string ` + "`json:\"oldName\"`" + ` // old key
}

type untagged struct{ X int }

func (g *good) UnmarshalJSON(b []byte) error {
	var x struct {
		Was int ` + "`json:\"wasCamel\"`" + `
	}
	_ = x
	return nil
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	got := checkFile(fset, f)
	want := []string{`p.go:10: json key "camelCase" is not snake_case`, `p.go:11: B has no json tag (written as "B")`}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
