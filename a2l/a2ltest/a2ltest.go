// Package a2ltest locates the real A2L files the tests read: they live
// in ../shared/a2l beside the repository root and are never copied into
// the repository.
package a2ltest

import (
	"os"
	"path/filepath"
	"testing"
)

// XCPlite returns the directory of the XCPlite A2L files, skipping the
// test with a clear message when it is absent.
func XCPlite(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root (go.mod) not found")
		}
		dir = parent
	}
	// <root>/../shared/a2l; a git worktree nested deeper finds it further up.
	for up := filepath.Dir(dir); ; up = filepath.Dir(up) {
		d := filepath.Join(up, "shared", "a2l", "xcplite")
		if _, err := os.Stat(d); err == nil {
			return d
		}
		if filepath.Dir(up) == up {
			break
		}
	}
	t.Skipf("real XCPlite A2L files not found in ../shared/a2l/xcplite beside the repository root %s", dir)
	return ""
}
