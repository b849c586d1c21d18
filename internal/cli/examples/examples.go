// Package examples is `xcp examples` (pyXCP's xcp-examples): the runnable
// examples of a goxcp source checkout — the Go Example functions and the
// walkthroughs under docs/ — each with a one-line description and the
// command that runs (or opens) it. The list is read from the checkout
// when the command runs, so it is always the current one.
package examples

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
)

// Entry is one example.
type Entry struct {
	Kind    string `json:"kind"`    // "go" (Example function) or "doc" (walkthrough)
	Name    string `json:"name"`    // pgm.ExampleNewPlan, docs/daq.md
	Package string `json:"package"` // import path (go) or file (doc)
	Doc     string `json:"doc"`     // one line
	Run     string `json:"run"`     // the command, from the root of the checkout
}

// NewCmd returns the `xcp examples` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	var asJSON bool
	var dir string
	cmd := &cobra.Command{
		Use:   "examples [WORD]",
		Short: "List the runnable examples and walkthroughs with the command to run each",
		Long: `List goxcp's runnable examples: the Example functions of the Go packages
(each runs as a test and checks its output) and the walkthroughs in docs/.
They are read from the goxcp source checkout containing the working
directory (or --dir); the commands run from its root. WORD keeps the
entries whose name, package or description contain it.`,
		Example: `  xcp examples
  xcp examples pgm
  go test ./pgm -run '^ExampleNewPlan$' -v`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return cmdutil.UsageErrorf("%s takes at most one WORD, got %d arguments", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root, err := FindRoot(dir)
			if err != nil {
				return err
			}
			all, err := Scan(root)
			if err != nil {
				return err
			}
			var list []Entry
			for _, e := range all {
				if len(args) == 0 || strings.Contains(strings.ToLower(e.Name+" "+e.Package+" "+e.Doc), strings.ToLower(args[0])) {
					list = append(list, e)
				}
			}
			if len(list) == 0 {
				return fmt.Errorf("no example matches %q", args[0])
			}
			fmt.Fprintf(f.IO.ErrOut, "%d example(s) in %s\n", len(list), root)
			t := cmdutil.Table{Header: []string{"example", "what it shows", "run"}}
			for _, e := range list {
				t.Add(e.Name, e.Doc, e.Run)
			}
			return f.Printer(asJSON).Print(list, t)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&dir, "dir", "", "goxcp source checkout (default: the one containing the working directory)")
	return cmd
}

// modulePath is the module path of the goxcp source tree.
const modulePath = "github.com/goxcp/goxcp"

// ErrNoCheckout is returned when no goxcp source checkout is found.
var ErrNoCheckout = errors.New("no goxcp source checkout here: the examples are part of the source (git clone it, cd into it, or give --dir)")

// FindRoot returns the root of the goxcp checkout containing dir ("" =
// the working directory): the nearest directory whose go.mod declares
// module github.com/goxcp/goxcp.
func FindRoot(dir string) (string, error) {
	if dir == "" {
		var err error
		if dir, err = os.Getwd(); err != nil {
			return "", err
		}
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			first, _, _ := strings.Cut(string(data), "\n")
			if strings.TrimSpace(first) == "module "+modulePath {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoCheckout
		}
		dir = parent
	}
}

// Scan lists the examples of the checkout at root: every Example function
// of a _test.go file (the first sentence of its doc comment, else the
// function it demonstrates) and every docs/*.md (its title), sorted.
func Scan(root string) ([]Entry, error) {
	var out []Entry
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("examples: %w", err)
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		pkg := modulePath
		if rel != "." {
			pkg += "/" + rel
		}
		short := strings.TrimSuffix(file.Name.Name, "_test")
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !isExample(fn.Name.Name) {
				continue
			}
			out = append(out, Entry{Kind: "go", Name: short + "." + fn.Name.Name, Package: pkg,
				Doc: describe(fn, short), Run: fmt.Sprintf("go test ./%s -run '^%s$' -v", rel, fn.Name.Name)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	for _, d := range docs {
		data, err := os.ReadFile(d)
		if err != nil {
			return nil, err
		}
		title, _, _ := strings.Cut(string(data), "\n")
		name := "docs/" + filepath.Base(d)
		out = append(out, Entry{Kind: "doc", Name: name, Package: name, Doc: strings.TrimSpace(strings.TrimLeft(title, "# ")),
			Run: "less " + name})
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Kind+" "+a.Name, b.Kind+" "+b.Name) })
	return out, nil
}

// isExample reports whether name is a Go example function name: Example,
// ExampleX, ExampleX_y … (go test's rule: after "Example" an upper-case
// letter, '_' or nothing).
func isExample(name string) bool {
	rest, ok := strings.CutPrefix(name, "Example")
	return ok && (rest == "" || rest[0] == '_' || unicode.IsUpper(rune(rest[0])))
}

// describe is the first sentence of fn's doc comment, else what the
// example's name says it demonstrates.
func describe(fn *ast.FuncDecl, pkg string) string {
	if fn.Doc != nil {
		text := strings.Join(strings.Fields(fn.Doc.Text()), " ")
		if i := strings.Index(text, ". "); i >= 0 {
			text = text[:i+1]
		}
		return strings.TrimSuffix(text, ".")
	}
	name := strings.TrimPrefix(fn.Name.Name, "Example")
	suffix := ""
	if i := strings.LastIndexByte(name, '_'); i >= 0 && i+1 < len(name) && unicode.IsLower(rune(name[i+1])) {
		name, suffix = name[:i], " ("+name[i+1:]+")"
	}
	if name == "" {
		return "package " + pkg + " overview" + suffix
	}
	return "use of " + pkg + "." + strings.ReplaceAll(strings.TrimPrefix(name, "_"), "_", ".") + suffix
}
