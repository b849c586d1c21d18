package write

import "testing"

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
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseAssignment(%q) = %+v, %v", tc.in, got, err)
		}
	}
}
