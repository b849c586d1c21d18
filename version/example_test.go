package version_test

import (
	"fmt"
	"runtime/debug"

	"github.com/goxcp/goxcp/version"
)

// The build information of a program that depends on goxcp v1.3.0: the
// version comes from its dependency list (Get reads the running program's).
func ExampleFromBuildInfo() {
	bi := &debug.BuildInfo{
		Main: debug.Module{Path: "example.com/hil-rig", Version: "(devel)"},
		Deps: []*debug.Module{{Path: "github.com/goxcp/goxcp", Version: "v1.3.0"}},
	}
	i := version.FromBuildInfo(bi)
	fmt.Println(i.Short(), i.Main)
	// Output: v1.3.0 false
}

// A development build of the xcp command in a git checkout with
// uncommitted changes.
func ExampleInfo_Short() {
	bi := &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/goxcp/goxcp", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	fmt.Println(version.FromBuildInfo(bi).Short())
	// Output: devel-1a2b3c4d5e6f+modified
}
