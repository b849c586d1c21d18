package a2ltest_test

import (
	"path/filepath"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/a2ltest"
)

// A test that parses a real XCPlite A2L file. XCPlite returns the
// directory of those files and skips the test, saying why, on a machine
// without them, so the test suite stays green on a fresh clone.
//
// The helpers take the test's testing.TB, which an Example function does
// not have: this example is compiled, not run. The tests of packages a2l
// and cal run exactly this pattern.
func ExampleXCPlite() {
	testParseXCPlite := func(t *testing.T) {
		f, err := a2l.ParseFile(filepath.Join(a2ltest.XCPlite(t), "c_demo.a2l"), a2l.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Modules) != 1 {
			t.Fatalf("%d modules, want 1", len(f.Modules))
		}
	}
	_ = testParseXCPlite
}

// A test over every file of the real-world A2L corpus, skipped when the
// corpus is absent. Compiled, not run (see ExampleXCPlite).
func ExampleCorpus() {
	testParseCorpus := func(t *testing.T) {
		files, err := filepath.Glob(filepath.Join(a2ltest.Corpus(t), "*.[aA]2[lL]"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if _, err := a2l.ParseFile(path, a2l.Options{}); err != nil {
				t.Errorf("%s: %v", filepath.Base(path), err)
			}
		}
	}
	_ = testParseCorpus
}
