package version

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func settings(kv ...string) []debug.BuildSetting {
	var s []debug.BuildSetting
	for i := 0; i+1 < len(kv); i += 2 {
		s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
	}
	return s
}

const rev = "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d"

func TestFromBuildInfo(t *testing.T) {
	vcs := settings("vcs", "git", "vcs.revision", rev, "vcs.time", "2026-12-06T23:40:51Z", "vcs.modified", "false")
	dirty := settings("vcs.revision", rev, "vcs.modified", "true")
	tests := []struct {
		name      string
		bi        debug.BuildInfo
		short     string
		revision  string
		main      bool
		wantLines []string // substrings of String()
	}{
		{"release", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: Module, Version: "v1.2.0"}, Settings: vcs},
			"v1.2.0", rev, true, []string{"goxcp v1.2.0\n", "revision  " + rev + " (2026-12-06 23:40:51 UTC)", "go        go1.26.8"}},
		{"pseudo-version of a dirty checkout", debug.BuildInfo{Main: debug.Module{Path: Module, Version: "v0.0.0-20261206234051-1a2b3c4d5e6f+dirty"}, Settings: dirty},
			"v0.0.0-20261206234051-1a2b3c4d5e6f+dirty", rev, true, []string{"with uncommitted changes"}},
		{"devel with revision", debug.BuildInfo{Main: debug.Module{Path: Module, Version: "(devel)"}, Settings: vcs},
			"devel-1a2b3c4d5e6f", rev, true, nil},
		{"devel without revision", debug.BuildInfo{Main: debug.Module{Path: Module, Version: "(devel)"}},
			"devel", "", true, []string{"revision  unknown: none recorded"}},
		{"devel modified", debug.BuildInfo{Main: debug.Module{Path: Module, Version: "(devel)"}, Settings: dirty},
			"devel-1a2b3c4d5e6f+modified", rev, true, nil},
		{"dependency", debug.BuildInfo{Main: debug.Module{Path: "example.com/bench", Version: "(devel)"}, Settings: vcs,
			Deps: []*debug.Module{{Path: "golang.org/x/sys", Version: "v0.30.0"}, {Path: Module, Version: "v1.3.0"}}},
			"v1.3.0", "", false, []string{"revision  unknown: the Go toolchain records revisions only for the main module"}},
		{"replaced dependency", debug.BuildInfo{Main: debug.Module{Path: "example.com/bench"},
			Deps: []*debug.Module{{Path: Module, Version: "v1.3.0", Replace: &debug.Module{Path: "../goxcp"}}}},
			"v1.3.0", "", false, []string{"module    github.com/goxcp/goxcp => ../goxcp"}},
		{"not linked", debug.BuildInfo{Main: debug.Module{Path: "example.com/other"}}, "devel", "", false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := FromBuildInfo(&tc.bi)
			if i.Short() != tc.short || i.Revision != tc.revision || i.Main != tc.main {
				t.Fatalf("Short %q Revision %q Main %v, want %q %q %v", i.Short(), i.Revision, i.Main, tc.short, tc.revision, tc.main)
			}
			s := i.String()
			for _, w := range tc.wantLines {
				if !strings.Contains(s, w) {
					t.Errorf("String() lacks %q:\n%s", w, s)
				}
			}
		})
	}
}

func TestTime(t *testing.T) {
	i := FromBuildInfo(&debug.BuildInfo{Main: debug.Module{Path: Module}, Settings: settings("vcs.time", "2026-12-06T23:40:51Z")})
	if want := time.Date(2026, 12, 6, 23, 40, 51, 0, time.UTC); !i.Time.Equal(want) {
		t.Fatalf("time %v, want %v", i.Time, want)
	}
}

// The build information of a test binary has no module version: Get must
// still name the toolchain and the platform.
func TestGet(t *testing.T) {
	i := Get()
	if i.GoVersion == "" || i.OS == "" || i.Arch == "" || i.Module != Module {
		t.Fatalf("Get() = %+v", i)
	}
}

// TestBuildRecordsRevision builds a small program as module goxcp in a
// fresh git repository and checks that Get reads the revision and the
// modification flag the toolchain records (the keys FromBuildInfo parses).
func TestBuildRecordsRevision(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed: cannot check the recorded revision")
	}
	src, err := os.ReadFile("version.go")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module "+Module+"\n\ngo 1.24\n")
	write("version/version.go", string(src))
	write("cmd/v/main.go", `package main

import (
	"fmt"

	"github.com/goxcp/goxcp/version"
)

func main() {
	i := version.Get()
	fmt.Println(i.Revision, i.Modified, i.Main, i.Time.IsZero())
}
`)
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=true", "GOWORK=off", "GIT_CONFIG_GLOBAL=/dev/null",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run(git, "init", "-q")
	run(git, "add", ".")
	run(git, "commit", "-q", "-m", "test")
	head := run(git, "rev-parse", "HEAD")
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH: cannot build the test program")
	}
	bin := filepath.Join(dir, "v.exe")
	run(goBin, "build", "-o", bin, "./cmd/v")
	if got, want := run(bin), head+" false true false"; got != want {
		t.Fatalf("clean build: got %q, want %q", got, want)
	}
	write("README", "a change\n")
	run(goBin, "build", "-o", bin, "./cmd/v")
	if got, want := run(bin), head+" true true false"; got != want {
		t.Fatalf("build with an uncommitted change: got %q, want %q", got, want)
	}
}
