package config

import (
	"strings"
	"testing"
)

// Every description belongs to a key or a section that exists.
func TestDocsHaveNoStaleKeys(t *testing.T) {
	exist := map[string]bool{}
	for _, s := range Settings(Default()) {
		exist[s.Key] = true
		for i, c := range s.Key {
			if c == '.' {
				exist[s.Key[:i]] = true
			}
		}
	}
	for k := range docs {
		if !exist[k] {
			t.Errorf("docs describes %q, which is not a setting or section", k)
		}
	}
	for k := range exist {
		if !strings.Contains(k, ".") && docs[k] == "" {
			t.Errorf("section %q has no description", k)
		}
	}
}
