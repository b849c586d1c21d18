package stim

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadCSV: any values file gives rows of the header's width or an
// error naming the file, never a panic.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("time,a,b\n0,1,2\n1,3,4\n"))
	f.Add([]byte("a\n1\n"))
	f.Add([]byte("timestamp_ns,\"x\"\n# comment\n5, 1e3\n"))
	f.Add([]byte("a,b\n1\n"))
	f.Add([]byte("time\n0\n"))
	f.Add([]byte(""))
	f.Add([]byte("a,,c\n1,2,3\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "v.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		cols, rows, err := readCSV(path)
		if err != nil {
			return
		}
		if len(cols) == 0 || len(rows) == 0 {
			t.Fatalf("no error but %d columns, %d rows", len(cols), len(rows))
		}
		for _, r := range rows {
			if len(r) != len(cols) {
				t.Fatalf("row of %d values for %d columns", len(r), len(cols))
			}
		}
	})
}
