package convert

import (
	"bytes"
	"encoding/json"
	"github.com/goxcp/goxcp/protocol/xcp"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/recordtest"
)

// TestDamagedBlockCountedAndStrict: a frame block with a damaged payload
// is skipped; convert says how many frames it held and where, and
// --strict turns that into a failure (after converting what is intact).
func TestDamagedBlockCountedAndStrict(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "run.xlog")
	meta := recordtest.MixedMeta(xcp.IDAbsODT, 4, "intel")
	if err := recordtest.WriteFile(src, meta, 900); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(src)
	// The first frame block: magic "XBLK", type 1; damage its payload.
	i := bytes.Index(b, []byte("XBLK\x01"))
	if i < 0 {
		t.Fatal("no frame block")
	}
	b[i+48+10] ^= 0xFF
	os.WriteFile(src, b, 0o644)
	for _, strict := range []bool{false, true} {
		ios, _, out, errOut := cmdutil.Test()
		cmd := NewCmd(cmdutil.New(ios))
		args := []string{src, "--to", "csv", "-o", filepath.Join(dir, "out") + string(filepath.Separator), "--json"}
		if strict {
			args = append(args, "--strict")
		}
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.Execute()
		var s Summary
		if jerr := json.Unmarshal(out.Bytes(), &s); jerr != nil {
			t.Fatalf("%v: %s", jerr, out)
		}
		if s.DamagedFrames == 0 || s.DamagedFrames != s.FramesRec-framesRead(t, src) || !strings.Contains(errOut.String(), "frames lost in damaged blocks") {
			t.Errorf("strict %v: damaged frames %d of %d recorded; stderr %q", strict, s.DamagedFrames, s.FramesRec, errOut)
		}
		if strict != (err != nil) {
			t.Errorf("strict %v: error %v", strict, err)
		}
	}
}

// framesRead counts the frames a reader gets from the file.
func framesRead(t *testing.T, path string) uint64 {
	r, err := record.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n uint64
	for range r.All() {
		n++
	}
	return n
}
