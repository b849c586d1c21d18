package cal

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseAssignment(t *testing.T) {
	tests := []struct {
		in   string
		want Assignment
		err  bool
	}{
		{"a=1", Assignment{Name: "a", Value: "1"}, false},
		{"p.x[2].y=1,2,3", Assignment{Name: "p.x[2].y", Value: "1,2,3"}, false},
		{"c:x=1 2", Assignment{Name: "c", Axis: 1, Value: "1 2"}, false},
		{"c:Y=1", Assignment{Name: "c", Axis: 2, Value: "1"}, false},
		{"s=a=b", Assignment{Name: "s", Value: "a=b"}, false},
		{"a=", Assignment{Name: "a", Value: ""}, false},
		{"=1", Assignment{}, true},
		{"a", Assignment{}, true},
		{"c:w=1", Assignment{}, true},
		{":x=1", Assignment{}, true},
	}
	for _, tc := range tests {
		got, err := ParseAssignment(tc.in)
		if (err != nil) != tc.err || got != tc.want || (err != nil && !errors.Is(err, ErrAssignment)) {
			t.Errorf("ParseAssignment(%q) = %+v, %v", tc.in, got, err)
		}
	}
}

func TestMerge(t *testing.T) {
	as := []Assignment{{Name: "map", Axis: 2, Value: "1 2"}, {Name: "a", Value: "x y"}, {Name: "map", Value: "1,2,3,4"}, {Name: "map", Axis: 1, Value: "[5, 6]"}}
	names, inputs, err := Merge(as)
	if err != nil {
		t.Fatal(err)
	}
	want := []Input{{Values: []string{"1,2,3,4"}, Axes: [][]string{{"5", "6"}, {"1", "2"}}}, {Values: []string{"x y"}}}
	if !reflect.DeepEqual(names, []string{"map", "a"}) || !reflect.DeepEqual(inputs, want) {
		t.Errorf("Merge = %q %+v", names, inputs)
	}
	for _, bad := range [][]Assignment{
		{{Name: "a", Value: "1"}, {Name: "a", Value: "2"}},
		{{Name: "c", Axis: 1, Value: "1"}, {Name: "c", Axis: 1, Value: "2"}},
		{{Name: "c", Axis: 6, Value: "1"}},
	} {
		if _, _, err := Merge(bad); !errors.Is(err, ErrAssignment) {
			t.Errorf("Merge(%+v): %v, want ErrAssignment", bad, err)
		}
	}
}
