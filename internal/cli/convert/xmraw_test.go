package convert

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/record/xmraw"
)

const refXmraw = "../../../../shared/recordings/pyxcp/pyxcp_hello_xcp.xmraw"

// TestConvertXmraw converts pyXCP's reference recording to every format
// through the command line.
func TestConvertXmraw(t *testing.T) {
	b, err := os.ReadFile(refXmraw)
	if err != nil {
		t.Skipf("pyXCP reference recording not available: %v", err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.xmraw")
	if err := os.WriteFile(src, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, to := range Formats() {
		t.Run(to, func(t *testing.T) {
			ios, _, out, errOut := cmdutil.Test()
			cmd := NewCmd(cmdutil.New(ios))
			cmd.SetArgs([]string{src, "--to", to, "--json", "-o", filepath.Join(dir, "out-"+to)})
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			var s Summary
			if err := json.Unmarshal(out.Bytes(), &s); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if s.Samples != 26354 || !s.Complete || len(s.Lists) != 1 || s.Lists[0].Name != "hello_mainloop" || errOut.Len() != 0 {
				t.Fatalf("summary %+v, stderr %q", s, errOut)
			}
			if fi, err := os.Stat(s.Output[0]); err != nil || fi.Size() < 100_000 {
				t.Fatalf("output %v: %v", s.Output, err)
			}
		})
	}
	// Cut inside the second container: the first converts, the command
	// fails naming the damage.
	cut := filepath.Join(dir, "cut.xmraw")
	if err := os.WriteFile(cut, b[:len(b)/2+len(b)/4], 0o644); err != nil {
		t.Fatal(err)
	}
	ios, _, out, errOut := cmdutil.Test()
	cmd := NewCmd(cmdutil.New(ios))
	cmd.SetArgs([]string{cut, "--to", "csv", "--json"})
	err = cmd.Execute()
	if !errors.Is(err, xmraw.ErrTruncated) {
		t.Fatalf("err %v", err)
	}
	var s Summary
	if err := json.Unmarshal(out.Bytes(), &s); err != nil || s.Samples != 15888 || s.Complete {
		t.Fatalf("summary %+v (%v), stderr %q", s, err, errOut)
	}
	if fi, err := os.Stat(filepath.Join(dir, "cut.csv")); err != nil || fi.Size() < 100_000 {
		t.Fatalf("intact part not written: %v", err)
	}
	t.Log(err)
}
