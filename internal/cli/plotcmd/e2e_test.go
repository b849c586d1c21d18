package plotcmd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/xcptest"
)

func TestPlotARecording(t *testing.T) {
	dir := t.TempDir()
	lists := filepath.Join(dir, "lists.toml")
	os.WriteFile(lists, []byte("[[list]]\nname = \"fast\"\nevent = \"1ms\"\ntimestamps = true\nsignals = [\"counter\", \"waves.sine\"]\n"), 0o644)
	rec := filepath.Join(dir, "run.xlog")
	if code, _, errOut := xcptest.Run("--sim", "record", "--daq", lists, "--duration", "300ms", "-o", rec); code != 0 {
		t.Fatalf("record: %d %s", code, errOut)
	}
	for _, ext := range []string{"png", "svg", "pdf"} {
		out := filepath.Join(dir, "run."+ext)
		code, _, errOut := xcptest.Run("plot", rec, "waves.sine", "fast.counter", "-o", out)
		if code != 0 || !strings.Contains(errOut, "plotted 2 signal(s)") {
			t.Fatalf("plot %s: %d %s", ext, code, errOut)
		}
		if st, err := os.Stat(out); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", out, err)
		}
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"plot", rec, "nosuch", "-o", filepath.Join(dir, "x.png")}, 1, "no such signal"},
		{[]string{"plot", rec, "waves.sine", "-o", filepath.Join(dir, "x.gif")}, 2, "want a .png, .svg or .pdf"},
		{[]string{"plot", rec, "waves.sine"}, 2, "needs -o"},
		{[]string{"plot", rec}, 2, "at least one signal"},
		{[]string{"plot", rec, "waves.sine", "--from", "2", "--to", "1", "-o", filepath.Join(dir, "x.png")}, 2, "must be after"},
		{[]string{"plot", filepath.Join(dir, "missing.xlog"), "a", "-o", filepath.Join(dir, "x.png")}, 2, "no such file"},
	} {
		code, _, errOut := xcptest.Run(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("xcp %v: exit %d %q, want %d %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}
