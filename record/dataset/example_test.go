package dataset_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/goxcp/goxcp/record/dataset"
	"github.com/goxcp/goxcp/record/recordtest"
)

// Two recordings from two ECUs become one dataset; adding one of them
// again adds nothing.
func ExampleBuild() {
	tmp, _ := os.MkdirTemp("", "dataset-example-")
	defer os.RemoveAll(tmp)
	var files []string
	for i, ecu := range []string{"ECU_A", "ECU_B"} {
		meta := recordtest.NarrowMeta()
		meta.Slave.Identifier = ecu // what xcp record stores from GET_ID
		meta.Start = time.Date(2026, 12, 6+i, 8, 0, 0, 0, time.UTC)
		f := filepath.Join(tmp, fmt.Sprintf("run%d.xlog", i+1))
		if err := recordtest.WriteFile(f, meta, 1000); err != nil {
			fmt.Println(err)
			return
		}
		files = append(files, f)
	}
	lake := filepath.Join(tmp, "lake")
	res, err := dataset.Build(context.Background(), lake, files, dataset.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res {
		for _, f := range r.Recording.Files {
			fmt.Printf("%s: list=%s ecu=%s date=%s rows=%d\n", r.Recording.Recording, f.List, f.ECU, f.Date, f.Rows)
		}
	}
	res, _ = dataset.Build(context.Background(), lake, files[:1], dataset.Options{})
	fmt.Println("again:", res[0].Duplicate != nil, res[0].Recording == nil)
	m, _ := dataset.ReadManifest(lake)
	for _, c := range m.Lists["narrow"] {
		fmt.Println(strings.TrimSpace(c.Name + " " + c.Type + " " + c.Unit))
	}
	// Output:
	// run1.xlog: list=narrow ecu=ECU_A date=2026-12-06 rows=1000
	// run2.xlog: list=narrow ecu=ECU_B date=2026-12-07 rows=1000
	// again: true true
	// recording string
	// host_ns int64 ns
	// ecu_ns int64 ns
	// counter double
}
