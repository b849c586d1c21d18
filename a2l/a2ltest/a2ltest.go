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
	return shared(t, "xcplite", "real XCPlite A2L files")
}

// Corpus returns the directory of the real-world A2L corpus (files from
// CANape-era tools, Vector ASAP2 Studio, a2ltool, Rust xcp-lite, ASAM's
// demos and hand-written parser tests, described in its SOURCES.md),
// skipping the test with a clear message when it is absent.
func Corpus(t testing.TB) string {
	t.Helper()
	return shared(t, "corpus", "the real-world A2L corpus")
}

// shared finds ../shared/a2l/<sub> beside the repository root.
func shared(t testing.TB, sub, what string) string {
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
		d := filepath.Join(up, "shared", "a2l", sub)
		if _, err := os.Stat(d); err == nil {
			return d
		}
		if filepath.Dir(up) == up {
			break
		}
	}
	t.Skipf("%s not found in ../shared/a2l/%s beside the repository root %s", what, sub, dir)
	return ""
}
