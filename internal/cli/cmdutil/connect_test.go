package cmdutil

import (
	"context"
	"strings"
	"testing"
)

// After PROGRAM_RESET the slave has ended the session: the function that
// Connect returns must not send DISCONNECT (it would wait for an answer
// that never comes and report a failure).
func TestDoneAfterProgramReset(t *testing.T) {
	ios, _, _, errOut := Test()
	f := New(ios)
	f.Getenv = func(string) string { return "" }
	f.Global.Sim, f.Global.LogLevel = true, "warn"
	f.Changed = func(flag string) bool { return flag == "log-level" }
	t.Chdir(t.TempDir())
	ctx := context.Background()
	m, done, err := f.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.ProgramStart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.ProgramReset(ctx); err != nil {
		t.Fatal(err)
	}
	if err := done(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(errOut.String(), "disconnect failed") {
		t.Errorf("DISCONNECT sent after PROGRAM_RESET:\n%s", errOut)
	}
}
