package stimulus_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/goxcp/goxcp/daq/stimulus"
)

// FuzzReadTable: any values file gives rows of the header's width or an
// error naming the file, never a panic.
func FuzzReadTable(f *testing.F) {
	f.Add([]byte("time,a,b\n0,1,2\n1,3,4\n"))
	f.Add([]byte("a\n1\n"))
	f.Add([]byte("timestamp_ns,\"x\"\n# comment\n5, 1e3\n"))
	f.Add([]byte("a,b\n1\n"))
	f.Add([]byte("time\n0\n"))
	f.Add([]byte(""))
	f.Add([]byte("a,,c\n1,2,3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cols, rows, err := stimulus.ReadTable(bytes.NewReader(data), "v.csv")
		if err != nil {
			if !bytes.HasPrefix([]byte(err.Error()), []byte("v.csv")) {
				t.Fatalf("error does not name the file: %v", err)
			}
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
		var s stimulus.Source
		if err := s.Table(cols, rows, false, "v.csv"); err != nil {
			var dup *stimulus.DuplicateError
			if !errors.As(err, &dup) {
				t.Fatalf("table refused: %v", err)
			}
		}
	})
}

// FuzzParseWave: a --wave specification from the command line never
// panics, whatever it is.
func FuzzParseWave(f *testing.F) {
	for _, s := range []string{"sine:1:10", "ramp:0:100:2s", "square", "", "sine:x", "triangle:1:2:3:4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { stimulus.ParseWave(s) })
}
