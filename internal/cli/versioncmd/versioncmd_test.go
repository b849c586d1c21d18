package versioncmd_test

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/xcptest"
	"github.com/goxcp/goxcp/version"
)

// `xcp version` and `xcp --version` print the same text: the version of
// the build (a test binary is a development build) and the toolchain.
func TestVersion(t *testing.T) {
	code, out, errOut := xcptest.Run("version")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := "xcp " + version.Get().Short() + "\n"
	if !strings.HasPrefix(out, want) {
		t.Fatalf("output starts %q, want %q", out, want)
	}
	for _, s := range []string{"module    " + version.Module, "revision  ", "go        " + runtime.Version()} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	code, flagOut, errOut := xcptest.Run("--version")
	if code != 0 || errOut != "" || flagOut != out {
		t.Fatalf("--version: exit %d, stderr %q, output\n%s\nwant\n%s", code, errOut, flagOut, out)
	}
}

func TestVersionJSON(t *testing.T) {
	code, out, errOut := xcptest.Run("version", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var v struct {
		Short, Module, Go, Platform string
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if v.Short == "" || v.Module != version.Module || v.Go != runtime.Version() || v.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Fatalf("JSON %+v", v)
	}
}

func TestVersionArgs(t *testing.T) {
	if code, _, errOut := xcptest.Run("version", "extra"); code == 0 || !strings.Contains(errOut, "extra") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}
