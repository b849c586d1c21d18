package convert_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/record/convert"
)

// The output of a per-list format follows from out alone: a trailing
// separator or an existing directory is a directory with one file per
// list (also for one list); a file name takes exactly one list.
func TestPerListPaths(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing")
	if err := os.Mkdir(existing, 0o755); err != nil {
		t.Fatal(err)
	}
	sep := string(filepath.Separator)
	one := []convert.Table{{Name: "fast"}}
	two := []convert.Table{{Name: "fast"}, {Name: "slow"}}
	for _, c := range []struct {
		name   string
		out    string
		tables []convert.Table
		want   []string
		dir    bool
		err    bool
	}{
		{"file, one list", filepath.Join(dir, "run.csv"), one, []string{filepath.Join(dir, "run.csv")}, false, false},
		{"file, two lists", filepath.Join(dir, "run.csv"), two, nil, false, true},
		{"new directory, one list", filepath.Join(dir, "new") + sep, one, []string{filepath.Join(dir, "new", "fast.csv")}, true, false},
		{"new directory, two lists", filepath.Join(dir, "new") + sep, two, []string{filepath.Join(dir, "new", "fast.csv"), filepath.Join(dir, "new", "slow.csv")}, true, false},
		{"existing directory, one list", existing, one, []string{filepath.Join(existing, "fast.csv")}, true, false},
		{"existing directory, two lists", existing, two, []string{filepath.Join(existing, "fast.csv"), filepath.Join(existing, "slow.csv")}, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			paths, isDir, err := convert.PerListPaths(c.out, ".csv", c.tables)
			if c.err {
				var se *convert.SeveralListsError
				if !errors.Is(err, convert.ErrSeveralLists) || !errors.As(err, &se) {
					t.Fatalf("got %v, want a SeveralListsError", err)
				}
				if msg := err.Error(); !strings.Contains(msg, "2 DAQ lists (fast, slow)") || !strings.Contains(msg, c.out+sep) {
					t.Errorf("message %q names neither the lists nor the directory form", msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if isDir != c.dir || strings.Join(paths, "|") != strings.Join(c.want, "|") {
				t.Errorf("got %q dir=%v, want %q dir=%v", paths, isDir, c.want, c.dir)
			}
		})
	}
	if convert.IsDirOutput("") || convert.IsDirOutput(filepath.Join(dir, "run.csv")) || !convert.IsDirOutput(existing) || !convert.IsDirOutput("x"+sep) {
		t.Error("IsDirOutput")
	}
}
