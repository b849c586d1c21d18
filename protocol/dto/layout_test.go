package dto_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/protocol/xcp"
)

func TestNames(t *testing.T) {
	for idf := xcp.IDAbsODT; idf <= xcp.IDRelODTAbsDAQWordAl; idf++ {
		if got, err := dto.ParseIDField(dto.IDFieldName(idf)); err != nil || got != idf {
			t.Errorf("%v: %v %v", idf, got, err)
		}
	}
	for _, o := range []xcp.ByteOrder{xcp.Intel, xcp.Motorola} {
		if got, err := dto.ParseByteOrder(dto.ByteOrderName(o)); err != nil || got != o {
			t.Errorf("%v: %v %v", o, got, err)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"pid", `unknown identification field type "pid"`},
		{"", `unknown identification field type ""`},
	} {
		if _, err := dto.ParseIDField(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseIDField(%q) = %v", c.in, err)
		}
	}
	if _, err := dto.ParseByteOrder("middle"); err == nil || !strings.Contains(err.Error(), `"middle"`) {
		t.Errorf("ParseByteOrder: %v", err)
	}
}

// TestLayoutJSON: a layout survives JSON; bad names are errors naming
// the value.
func TestLayoutJSON(t *testing.T) {
	lay := twoODTs()
	lay.Order, lay.IDField, lay.OverloadMSB = xcp.Motorola, xcp.IDRelODTAbsDAQWordAl, true
	b, err := json.Marshal(lay)
	if err != nil {
		t.Fatal(err)
	}
	var back dto.Layout
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(&back)
	if string(b) != string(b2) || back.Order != xcp.Motorola || back.IDField != xcp.IDRelODTAbsDAQWordAl || back.Lists[0].Measurements[2].BitMask != 2 {
		t.Errorf("round trip:\n%s\n%s", b, b2)
	}
	for _, c := range []struct{ js, want string }{
		{`{"byte_order":"intel","id_field":"x","lists":[]}`, `"x"`},
		{`{"byte_order":"sideways","id_field":"absolute","lists":[]}`, `"sideways"`},
		{`{"byte_order":"intel","id_field":"absolute","lists":[{"measurements":[{"type":"u7"}]}]}`, `"u7"`},
		{`[1]`, "cannot unmarshal"},
	} {
		var l dto.Layout
		if err := json.Unmarshal([]byte(c.js), &l); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %s", c.js, err, c.want)
		}
	}
}

func TestLocate(t *testing.T) {
	lay := twoODTs()
	for _, c := range []struct {
		idf       xcp.IDField
		ts        bool
		odt, want []int
	}{
		{xcp.IDAbsODT, true, []int{0, 0, 1}, []int{3, 5, 2}},
		{xcp.IDAbsODT, false, []int{0, 0, 1}, []int{1, 3, 2}},
		{xcp.IDRelODTAbsDAQWordAl, true, []int{0, 0, 1}, []int{6, 8, 5}},
	} {
		lay.IDField, lay.Lists[0].Timestamps = c.idf, c.ts
		for i := range lay.Lists[0].Measurements {
			if odt, off := lay.Locate(0, i); odt != c.odt[i] || off != c.want[i] {
				t.Errorf("%v ts %v measurement %d: ODT %d offset %d, want %d %d", c.idf, c.ts, i, odt, off, c.odt[i], c.want[i])
			}
		}
	}
}
