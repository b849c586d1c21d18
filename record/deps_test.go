package record_test

import (
	"go/build"
	"strings"
	"testing"
)

// The recording model and its converters stand without the A2L parser and
// the master: a converter links the conversion model (goxcp/compu), never
// the A2L grammar (goxcp/a2l) nor the XCP master.
func TestNoA2LOrMasterDependency(t *testing.T) {
	const mod = "github.com/goxcp/goxcp/"
	roots := []string{"record", "record/convert", "record/convert/csv", "record/convert/parquet", "record/convert/sqlite", "record/convert/hdf5"}
	for _, root := range roots {
		seen := map[string]string{}
		var walk func(path, from string)
		walk = func(path, from string) {
			if _, ok := seen[path]; ok || !strings.HasPrefix(path, mod) {
				return
			}
			seen[path] = from
			p, err := build.Import(path, "", 0)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			for _, imp := range p.Imports {
				walk(imp, path)
			}
		}
		walk(mod+root, "")
		for _, bad := range []string{"a2l", "master", "daq"} {
			if from, ok := seen[mod+bad]; ok {
				t.Errorf("%s links goxcp/%s (imported by %s)", root, bad, from)
			}
		}
	}
}
