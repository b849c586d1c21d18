// Package version reports which build of goxcp is running: the version of
// the github.com/goxcp/goxcp module and the version-control revision it was
// built from, as the Go toolchain recorded them in the binary
// (runtime/debug build information). It works for the xcp command and for
// any program that uses goxcp as a library.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Module is the module path of goxcp.
const Module = "github.com/goxcp/goxcp"

// Info is what the build information tells about goxcp.
type Info struct {
	// Module is the module path goxcp was built as (normally Module; a
	// replaced module keeps Module here and names its replacement in
	// Replaced).
	Module string
	// Version is the module version: a release tag such as "v1.2.0", a
	// pseudo-version (v0.0.0-20261206234051-1a2b3c4d5e6f) or "" for a
	// development build (the toolchain's "(devel)": go run or go build in
	// a tree without version-control information).
	Version string
	// Replaced is the path or module that replaced goxcp, if any.
	Replaced string
	// Revision is the version-control revision (the commit hash), "" if
	// the toolchain did not record one (goxcp used as a dependency, a
	// build outside a repository, or -buildvcs=false).
	Revision string
	// Time is the commit time of Revision (zero if unknown).
	Time time.Time
	// Modified reports uncommitted changes in the working tree at build
	// time.
	Modified bool
	// Main reports whether goxcp is the main module (for example the xcp
	// command) rather than a dependency of another program.
	Main bool
	// GoVersion is the Go toolchain that built the program, OS and Arch
	// the platform it runs on.
	GoVersion, OS, Arch string
}

// Get returns the build information of the running program.
func Get() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Module: Module, GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	}
	return FromBuildInfo(bi)
}

// FromBuildInfo extracts goxcp's Info from build information: the main
// module's when goxcp is the main module, otherwise goxcp's entry among
// the dependencies. The platform is the running one.
func FromBuildInfo(bi *debug.BuildInfo) Info {
	info := Info{Module: Module, GoVersion: bi.GoVersion, OS: runtime.GOOS, Arch: runtime.GOARCH}
	m := &bi.Main
	if m.Path != Module {
		m = nil
		for _, d := range bi.Deps {
			if d.Path == Module {
				m = d
				break
			}
		}
	}
	if m == nil {
		return info // not linked into this program (or a test binary)
	}
	info.Main = m == &bi.Main
	info.Version = m.Version
	if r := m.Replace; r != nil {
		info.Replaced = r.Path
		if r.Version != "" {
			info.Replaced += "@" + r.Version
			info.Version = r.Version
		}
	}
	if info.Version == "(devel)" {
		info.Version = ""
	}
	if !info.Main {
		return info // the settings describe the main module only
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Revision = s.Value
		case "vcs.time":
			info.Time, _ = time.Parse(time.RFC3339, s.Value)
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	return info
}

// Short returns the version in one word: the module version, or "devel"
// with the abbreviated revision (and "+modified") for a development
// build, e.g. "v1.2.0", "devel-1a2b3c4d5e6f+modified" or "devel".
func (i Info) Short() string {
	v := i.Version
	if v == "" {
		v = "devel"
		if i.Revision != "" {
			v += "-" + abbrev(i.Revision)
		}
	}
	// A pseudo-version of a dirty tree already ends in "+dirty".
	if i.Modified && !strings.HasSuffix(v, "+dirty") {
		v += "+modified"
	}
	return v
}

// String returns a few lines for a person: "goxcp" and the version, then
// Details.
func (i Info) String() string { return "goxcp " + i.Short() + "\n" + i.Details() }

// Details returns the module, the revision and the toolchain, one per
// line, saying what is unknown and why.
func (i Info) Details() string {
	var b strings.Builder
	mod := i.Module
	if i.Replaced != "" {
		mod += " => " + i.Replaced
	}
	fmt.Fprintf(&b, "module    %s\n", mod)
	switch {
	case i.Revision != "":
		rev := i.Revision
		if !i.Time.IsZero() {
			rev += " (" + i.Time.UTC().Format("2006-01-02 15:04:05 UTC") + ")"
		}
		if i.Modified {
			rev += ", with uncommitted changes"
		}
		fmt.Fprintf(&b, "revision  %s\n", rev)
	case i.Main:
		b.WriteString("revision  unknown: none recorded (go run, -buildvcs=false, or a build outside a git clone);" +
			" go build in a clone, or go install " + Module + "/cmd/xcp@latest, records it\n")
	default:
		b.WriteString("revision  unknown: the Go toolchain records revisions only for the main module\n")
	}
	fmt.Fprintf(&b, "go        %s %s/%s\n", i.GoVersion, i.OS, i.Arch)
	return b.String()
}

// abbrev shortens a commit hash to 12 characters, as Go pseudo-versions do.
func abbrev(rev string) string { return rev[:min(12, len(rev))] }
