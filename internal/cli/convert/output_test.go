package convert

import (
	"encoding/json"
	"errors"
	"github.com/goxcp/goxcp/protocol/xcp"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/record/recordtest"
)

// Where -o OUT goes follows from the command line alone: OUT/ or an
// existing directory is a directory (one file per list for CSV and
// Parquet, FILE's name inside for the others), anything else the output
// file — which CSV and Parquet refuse for several lists, naming them and
// the directory form, before writing anything.
func TestConvertOutputRule(t *testing.T) {
	dir := t.TempDir()
	three := filepath.Join(dir, "three.xlog") // lists ints, floats, empty
	if err := recordtest.WriteFile(three, recordtest.MixedMeta(xcp.IDAbsODT, 4, "intel"), 90); err != nil {
		t.Fatal(err)
	}
	one := filepath.Join(dir, "one.xlog") // list narrow
	if err := recordtest.WriteFile(one, recordtest.NarrowMeta(), 50); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "existing")
	if err := os.Mkdir(existing, 0o755); err != nil {
		t.Fatal(err)
	}
	sep := string(filepath.Separator)
	in := func(d string, names ...string) []string {
		var p []string
		for _, n := range names {
			p = append(p, filepath.Join(d, n))
		}
		return p
	}
	for _, c := range []struct {
		name, file, to, out string
		want                []string // files written
		err                 string   // usage error
	}{
		{"csv file, one list", one, "csv", filepath.Join(dir, "a.csv"), in(dir, "a.csv"), ""},
		{"csv file, several lists", three, "csv", filepath.Join(dir, "b.csv"), nil, "names one file, but " + three + " has 3 DAQ lists (ints, floats, empty)"},
		{"parquet file, several lists", three, "parquet", filepath.Join(dir, "b.parquet"), nil, "-o " + filepath.Join(dir, "b.parquet") + sep},
		{"csv new directory, one list", one, "csv", filepath.Join(dir, "c") + sep, in(filepath.Join(dir, "c"), "narrow.csv"), ""},
		{"csv new directory, several lists", three, "csv", filepath.Join(dir, "d") + sep, in(filepath.Join(dir, "d"), "ints.csv", "floats.csv", "empty.csv"), ""},
		{"parquet existing directory, one list", one, "parquet", existing, in(existing, "narrow.parquet"), ""},
		{"sqlite file, several lists", three, "sqlite", filepath.Join(dir, "e.db"), in(dir, "e.db"), ""},
		{"sqlite new directory", three, "sqlite", filepath.Join(dir, "f") + sep, in(filepath.Join(dir, "f"), "three.db"), ""},
		{"xlsx existing directory", three, "xlsx", existing, in(existing, "three.xlsx"), ""},
		{"default, several lists", three, "csv", "", in(filepath.Join(dir, "three_csv"), "ints.csv", "floats.csv", "empty.csv"), ""},
		{"default, one list", one, "csv", "", in(dir, "one.csv"), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			ios, _, out, _ := cmdutil.Test()
			cmd := NewCmd(cmdutil.New(ios))
			args := []string{c.file, "--to", c.to, "--json"}
			if c.out != "" {
				args = append(args, "-o", c.out)
			}
			cmd.SetArgs(args)
			cmd.SilenceErrors, cmd.SilenceUsage = true, true
			err := cmd.Execute()
			if c.err != "" {
				var ue *cmdutil.UsageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %v, want a usage error with %q", err, c.err)
				}
				if _, err := os.Stat(c.out); !os.IsNotExist(err) {
					t.Errorf("%s was created: %v", c.out, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var s Summary
			if err := json.Unmarshal(out.Bytes(), &s); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			got := slices.Clone(s.Output)
			slices.Sort(got)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("output %q, want %q", got, want)
			}
			for _, p := range want {
				if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
					t.Errorf("%s: %v", p, err)
				}
			}
		})
	}
}
