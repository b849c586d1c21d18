package root

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README's set-up commands must be the ones CI runs.
func TestReadmeMatchesCI(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	const testCmd = "go test -race -count=1 ./..."
	for _, c := range []struct{ file, text, want string }{
		{"README.md", string(readme), "    " + testCmd + "\n"},
		{"README.md", string(readme), "    go run ./cmd/xcp --sim info\n"},
		{"README.md", string(readme), "    go install ./cmd/xcp\n"},
		{".ci/run", string(ci), "\n" + testCmd + "\n"},
	} {
		if !strings.Contains(c.text, c.want) {
			t.Errorf("%s lacks %q", c.file, strings.TrimSpace(c.want))
		}
	}
}
