package xmraw_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/csv"
	"github.com/goxcp/goxcp/record/xmraw"
)

// Decode a pyXCP recording sample by sample, with pyXCP's timestamps:
// timestamp0 (host) and timestamp1 (ECU, across the 16-bit wrap), in ns
// since each list's first sample.
func ExampleDecoder() {
	r, err := xmraw.Open("testdata/two_lists.xmraw")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	p := r.Params()
	d, err := xmraw.NewDecoder(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	for r.Next() {
		if d.Decode(r.Frame()) {
			s := d.Sample()
			fmt.Println(p.Lists[s.List].Name, s.Timestamp0, s.Timestamp1, s.Values)
		}
	}
	fmt.Println("error:", r.Err())
	// Output:
	// fast 0 0 [100 0 0 0]
	// fast 200000 200000 [101 -1 0.25 1]
	// slow 0 0 [1.5]
	// fast 400000 400000 [102 -2 0.5 2]
	// fast 600000 600000 [103 -3 0.75 3]
	// slow 400000 0 [4.5]
	// fast 800000 800000 [104 -4 1 4]
	// fast 1000000 1000000 [105 -5 1.25 5]
	// slow 800000 0 [7.5]
	// error: <nil>
}

// Convert a pyXCP recording with any of goxcp's converters.
func ExampleNewSource() {
	r, err := xmraw.Open("testdata/two_lists.xmraw")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	src, err := xmraw.NewSource(r)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := os.MkdirTemp("", "xmraw-example-")
	defer os.RemoveAll(out)
	res, err := convert.RunSource(context.Background(), src, csv.New(out), convert.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Samples, "samples")
	b, _ := os.ReadFile(filepath.Join(out, "fast.csv"))
	fmt.Print(string(b))
	// Output:
	// 9 samples
	// host_ns,slave_ns,a,b,c,d
	// 0,0,100,0,0,0
	// 200000,200000,101,-1,0.25,1
	// 400000,400000,102,-2,0.5,2
	// 600000,600000,103,-3,0.75,3
	// 800000,800000,104,-4,1,4
	// 1000000,1000000,105,-5,1.25,5
}
