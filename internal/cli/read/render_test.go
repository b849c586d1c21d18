package read

import (
	"fmt"
	"testing"

	"github.com/goxcp/goxcp/cal"
)

func TestIndexString(t *testing.T) {
	for _, tc := range []struct {
		dims []int
		i    int
		want string
	}{
		{nil, 3, "[3]"}, {[]int{5}, 4, "[4]"}, {[]int{8, 4}, 9, "[1][1]"}, {[]int{2, 3, 4}, 23, "[3][2][1]"},
	} {
		if got := indexString(tc.dims, tc.i); got != tc.want {
			t.Errorf("indexString(%v, %d) = %s, want %s", tc.dims, tc.i, got, tc.want)
		}
	}
}

func TestTablesMapGrid(t *testing.T) {
	v := &cal.Value{Name: "m", Kind: "MAP", Unit: "deg", Dims: []int{2, 2}, Raw: []float64{1, 2, 3, 4}, Phys: []float64{10, 20, 30, 40},
		Axes: []*cal.Axis{{Attr: "FIX_AXIS", Raw: []float64{0, 1}, Phys: []float64{0, 1}}, {Attr: "STD_AXIS", Input: "load", Unit: "%", Raw: []float64{5, 6}, Phys: []float64{50, 60}}}}
	s := &cal.Value{Name: "s", Kind: "VALUE", Raw: []float64{7}, Phys: []float64{7}}
	ts := Tables([]*cal.Value{v, s}, false)
	if len(ts) != 2 || fmt.Sprint(ts[0].Rows) != "[[s 7 ]]" {
		t.Fatalf("tables %+v", ts)
	}
	// x across, y down; values x fastest
	if fmt.Sprint(ts[1].Header, ts[1].Rows) != "[y \\ x 0 1] [[50 10 20] [60 30 40]]" {
		t.Errorf("map grid %v %v", ts[1].Header, ts[1].Rows)
	}
	raw := Tables([]*cal.Value{v}, true)
	if fmt.Sprint(raw[0].Rows) != "[[5 1 2] [6 3 4]]" {
		t.Errorf("raw grid %v", raw[0].Rows)
	}
}
