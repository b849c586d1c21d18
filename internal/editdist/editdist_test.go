package editdist

import "testing"

func TestLevenshtein(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"sine", "sine", 0},
		{"sine", "sin", 1},        // deletion
		{"sine", "sinus", 2},      // substitution + insertion
		{"counter", "cuonter", 2}, // transposition = 2 edits
		{"kitten", "sitting", 3},
		{"timeout", "Timeout", 1}, // bytes, case-sensitive
	}
	for _, tc := range tests {
		if got := Levenshtein(tc.a, tc.b); got != tc.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Levenshtein(tc.b, tc.a); got != tc.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d (symmetry)", tc.b, tc.a, got, tc.want)
		}
	}
}
