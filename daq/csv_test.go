package daq_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/protocol/dto"
)

// TestCSVWholeRows: the header is in the file as soon as the measurement
// begins (also for a list that never gets a sample), and while it runs the
// files hold only whole rows.
func TestCSVWholeRows(t *testing.T) {
	dir := t.TempDir()
	w := daq.NewCSVWriter(dir)
	lay := &daq.Layout{Lists: []daq.ListLayout{
		{List: daq.List{Name: "fast", Measurements: []daq.Measurement{{Name: "a", Type: dto.U32}}}},
		{List: daq.List{Name: "slow", Measurements: []daq.Measurement{{Name: "b", Type: dto.U8}}}},
	}}
	if err := w.Begin(daq.Header{Layout: lay}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fast.csv", "slow.csv"} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		if !strings.HasPrefix(string(b), "timestamp0,timestamp1,") || !strings.HasSuffix(string(b), "\n") {
			t.Errorf("%s right after Begin: %q, want its header", name, b)
		}
	}
	s := &daq.Sample{List: 0, Values: []dto.Value{dto.UintValue(dto.U32, 123456)}}
	for i := range 200000 {
		s.HostNS = int64(i) * 1000
		if err := w.Sample(s); err != nil {
			t.Fatal(err)
		}
		if i%49999 == 0 {
			b, _ := os.ReadFile(filepath.Join(dir, "fast.csv"))
			if len(b) > 0 && b[len(b)-1] != '\n' {
				t.Fatalf("after %d samples the file ends in a torn row: %q", i, b[max(0, len(b)-40):])
			}
		}
	}
	if err := w.End(daq.Stats{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "fast.csv"))
	if n := strings.Count(string(b), "\n"); n != 200001 {
		t.Errorf("%d lines, want 200001", n)
	}
}
