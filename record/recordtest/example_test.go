package recordtest_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/recordtest"
)

// A synthetic recording for a test: WriteFile writes samples of a layout
// (here NarrowMeta: one U16 counter, 4-byte timestamp), and the decoded
// samples are checked against Value and SlaveTicks, which compute the
// expected values from the layout alone.
func Example() {
	dir, err := os.MkdirTemp("", "recordtest-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "narrow.xlog")
	meta := recordtest.NarrowMeta()
	if err := recordtest.WriteFile(path, meta, 1000); err != nil {
		log.Fatal(err)
	}

	r, err := record.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	d, err := record.NewDecoder(r)
	if err != nil {
		log.Fatal(err)
	}
	k, wrong := 0, 0
	for d.Next() {
		s := d.Sample()
		if s.Values[0] != recordtest.Value(meta, 0, 0, k) || s.HostNS != int64(k)*1000 {
			wrong++
		}
		if k < 3 {
			fmt.Println(s.HostNS, s.SlaveNS, s.Values)
		}
		k++
	}
	if err := d.Err(); err != nil {
		log.Fatal(err)
	}
	tick := recordtest.SlaveTicks(0, 1) - recordtest.SlaveTicks(0, 0)
	fmt.Println("list", meta.DAQ.Lists[0].Name, "samples", k, "wrong", wrong, "ticks per sample", tick)
	// Output:
	// 0 0 [15536]
	// 1000 100000 [23455]
	// 2000 200000 [31374]
	// list narrow samples 1000 wrong 0 ticks per sample 100
}

// The DTO frames of one sample, encoded from the layout: PID, 4-byte
// timestamp and the counter, little endian.
func ExampleEncoder() {
	e, err := recordtest.NewEncoder(recordtest.NarrowMeta())
	if err != nil {
		log.Fatal(err)
	}
	for k := range 2 {
		e.Frames(0, k, func(frame []byte) { fmt.Printf("% X\n", frame) })
	}
	// Output:
	// 00 00 00 00 00 B0 3C
	// 00 64 00 00 00 9F 5B
}
