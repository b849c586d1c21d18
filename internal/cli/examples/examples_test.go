package examples

import (
	"errors"
	"go/ast"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestScanFindsEveryExample(t *testing.T) {
	root, err := FindRoot("")
	if err != nil {
		t.Fatal(err)
	}
	list, err := Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	// Count the Example functions independently, by text.
	want := 0
	re := regexp.MustCompile(`(?m)^func Example(_|[A-Z]|\()`)
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != root {
			return filepath.SkipDir
		}
		if strings.HasSuffix(p, "_test.go") {
			data, _ := os.ReadFile(p)
			want += len(re.FindAll(data, -1))
		}
		return nil
	})
	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if len(list) != want+len(docs) {
		t.Errorf("%d entries, want %d examples + %d docs", len(list), want, len(docs))
	}
	byName := map[string]Entry{}
	for _, e := range list {
		byName[e.Name] = e
		if e.Doc == "" {
			t.Errorf("%s has no description", e.Name)
		}
		if e.Kind == "go" {
			dir := strings.Fields(e.Run)[2]
			if fi, err := os.Stat(filepath.Join(root, dir)); err != nil || !fi.IsDir() {
				t.Errorf("%s: run command names %s, not a package directory", e.Name, dir)
			}
		}
	}
	if e := byName["pgm.ExampleNewPlan"]; e.Package != "github.com/goxcp/goxcp/pgm" || e.Run != "go test ./pgm -run '^ExampleNewPlan$' -v" ||
		e.Doc != "Load a Motorola S-record image and map it onto a slave's sectors (as ReadLayout would report them) without programming anything" {
		t.Errorf("pgm.ExampleNewPlan: %+v", e)
	}
	if e := byName["config.ExampleParse_error"]; e.Doc != "use of config.Parse (error)" {
		t.Errorf("config.ExampleParse_error: %+v", e)
	}
}

// One listed command really runs its example.
func TestRunCommandWorks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	root, _ := FindRoot("")
	cmd := exec.Command("go", "test", "./pgm", "-run", "^ExampleNewPlan$", "-v", "-count=1")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: ExampleNewPlan") {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestFindRoot(t *testing.T) {
	if _, err := FindRoot(t.TempDir()); !errors.Is(err, ErrNoCheckout) {
		t.Errorf("outside a checkout: %v", err)
	}
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "cli", "examples")); err != nil {
		t.Errorf("root %s: %v", root, err)
	}
}

func TestDescribe(t *testing.T) {
	for name, want := range map[string]string{"Example": "package p overview", "ExampleFoo": "use of p.Foo",
		"ExampleT_Method": "use of p.T.Method", "ExampleFoo_second": "use of p.Foo (second)", "Example_suffix": "package p overview (suffix)"} {
		fn := &astFunc{name}
		if got := describe(fn.decl(), "p"); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	for name, ok := range map[string]bool{"Example": true, "ExampleX": true, "Example_x": true, "Examples": false, "Exampled": false} {
		if isExample(name) != ok {
			t.Errorf("isExample(%s) = %v", name, !ok)
		}
	}
}

type astFunc struct{ name string }

func (a *astFunc) decl() *ast.FuncDecl { return &ast.FuncDecl{Name: ast.NewIdent(a.name)} }
