package daq

import (
	"github.com/goxcp/goxcp/protocol/dto"
	"reflect"
	"testing"
)

func TestMergeByEvent(t *testing.T) {
	m := func(n string, a uint32) dto.Measurement { return dto.Measurement{Name: n, Address: a, Type: dto.U8} }
	lists := []List{
		{Name: "a", Event: 0, Measurements: []dto.Measurement{m("x", 1), m("y", 2)}},
		{Name: "b", Event: 1, Measurements: []dto.Measurement{m("z", 3)}},
		{Name: "c", Event: 0, Timestamps: true, Priority: 3, Measurements: []dto.Measurement{m("x", 4)}},
		{Name: "d", Event: 0, Prescaler: 2, Measurements: []dto.Measurement{m("w", 5)}},
		{Name: "p", Event: 0, Predefined: true, Measurements: []dto.Measurement{m("v", 6)}},
	}
	got := mergeByEvent(lists)
	want := []List{
		{Name: "a+c", Event: 0, Timestamps: true, Priority: 3, Measurements: []dto.Measurement{m("a.x", 1), m("y", 2), m("c.x", 4)}},
		lists[1], lists[3], lists[4],
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("merged\n%+v\nwant\n%+v", got, want)
	}
	if err := ValidateLists(got); err != nil {
		t.Error(err)
	}
	// Nothing to merge: unchanged.
	if got := mergeByEvent(lists[:2]); !reflect.DeepEqual(got, lists[:2]) {
		t.Errorf("%+v", got)
	}
}
