package record_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
)

var update = flag.Bool("update", false, "rewrite the .golden files of testdata/compat")

// TestCompatFiles reads recordings written by an earlier goxcp (metadata
// version 2, camelCase keys; see testdata/compat/README.md) and compares
// layout, conversions and every decoded sample with what that version
// decoded.
func TestCompatFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/compat/*.xlog")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recordings in testdata/compat: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			got := describeRecording(t, f)
			golden := strings.TrimSuffix(f, ".xlog") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
				for i := range min(len(gl), len(wl)) {
					if gl[i] != wl[i] {
						t.Fatalf("line %d:\n got %s\nwant %s", i+1, gl[i], wl[i])
					}
				}
				t.Fatalf("%d lines, want %d", len(gl), len(wl))
			}
		})
	}
}

// describeRecording prints the layout and every sample of a recording.
func describeRecording(t *testing.T, path string) string {
	t.Helper()
	r, err := record.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var b strings.Builder
	m := r.Meta()
	fmt.Fprintf(&b, "tool %q start %s slave %s %s identifier %q\n", m.Tool, m.Start.UTC().Format("2006-01-02T15:04:05.000000000Z"), m.Slave.Transport, m.Slave.ByteOrder, m.Slave.Identifier)
	fmt.Fprintf(&b, "id %s timestamp %d bytes tick %g ns overload-msb %v\n", dto.IDFieldName(m.DAQ.IDField), m.DAQ.TimestampSize, m.DAQ.TimestampTickNS, m.DAQ.OverloadMSB)
	for _, l := range m.DAQ.Lists {
		fmt.Fprintf(&b, "list %q number %d event %d %q prescaler %d timestamps %v\n", l.Name, l.Number, l.Event, l.EventName, l.Prescaler, l.Timestamps)
		for _, ms := range l.Measurements {
			fmt.Fprintf(&b, "  %q %s 0x%X:%d mask 0x%X unit %q comment %q", ms.Name, ms.Type, ms.Address, ms.Extension, ms.BitMask, ms.Unit, ms.Comment)
			if ms.Limits != nil {
				fmt.Fprintf(&b, " limits %g..%g", ms.Limits.Lower, ms.Limits.Upper)
			}
			if c := ms.Conversion; c != nil {
				fmt.Fprintf(&b, " conversion %s %s %q %v %v %q", c.Name, c.Type, c.Formula, c.In, c.Text, c.Unit)
			}
			b.WriteByte('\n')
		}
	}
	d, err := record.NewDecoder(r)
	if err != nil {
		t.Fatal(err)
	}
	for s := range d.All() {
		fmt.Fprintf(&b, "%d %d %d", s.List, s.HostNS, s.SlaveNS)
		for _, v := range s.Values {
			b.WriteByte(' ')
			b.WriteString(v.String())
		}
		b.WriteByte('\n')
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	st := d.Stats()
	fmt.Fprintf(&b, "unknown %d other %d", st.Unknown, st.Other)
	for _, l := range st.Lists {
		fmt.Fprintf(&b, " [%d %d %d]", l.Samples, l.Incomplete, l.Malformed)
	}
	fmt.Fprintf(&b, "\nloss %+v\n", r.Stats().Lists)
	return b.String()
}
