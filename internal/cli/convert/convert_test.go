package convert

import (
	"encoding/json"
	"errors"
	"github.com/goxcp/goxcp/protocol/xcp"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/clitest"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/recordtest"
)

func TestOptions(t *testing.T) {
	tests := []struct {
		args []string
		want Options
		err  string
	}{
		{[]string{"a.xlog", "--to", "csv"}, Options{File: "a.xlog", To: "csv"}, ""},
		{[]string{"a.xlog", "--to", "Parquet", "-o", "x", "--json"}, Options{File: "a.xlog", To: "parquet", Out: "x", JSON: true}, ""},
		{[]string{"a.xlog"}, Options{}, "--to is required"},
		{[]string{"a.xlog", "--to", "xls"}, Options{}, `unknown format "xls"`},
		{[]string{"a.xlog", "--to", "HDF5"}, Options{File: "a.xlog", To: "hdf5"}, ""},
		{[]string{"--to", "csv"}, Options{}, "needs 1 argument"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := clitest.Parse(newCmd, tt.args)
			if tt.err != "" {
				var ue *cmdutil.UsageError
				clitest.WantError(t, err, tt.err)
				if !strings.Contains(tt.err, "argument") && !errors.As(err, &ue) {
					t.Fatalf("%v is not a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.File != tt.want.File || got.To != tt.want.To || got.Out != tt.want.Out || got.JSON != tt.want.JSON {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestConvertEndToEnd(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "run.xlog")
	meta := recordtest.MixedMeta(xcp.IDAbsODT, 4, "intel")
	if err := recordtest.WriteFile(src, meta, 900); err != nil {
		t.Fatal(err)
	}
	for _, to := range Formats() {
		t.Run(to, func(t *testing.T) {
			ios, _, out, errOut := cmdutil.Test()
			cmd := NewCmd(cmdutil.New(ios))
			cmd.SetArgs([]string{src, "--to", to, "--json"})
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			var s Summary
			if err := json.Unmarshal(out.Bytes(), &s); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if s.Samples != 900 || !s.Complete || len(s.Lists) != 3 || s.Lists[0].Samples != 300 || errOut.Len() != 0 {
				t.Fatalf("summary %+v, stderr %q", s, errOut)
			}
			want := filepath.Join(dir, "run_"+to)
			switch to {
			case "sqlite":
				want = filepath.Join(dir, "run.db")
			case "hdf5":
				want = filepath.Join(dir, "run.h5")
			case "mf4":
				want = filepath.Join(dir, "run.mf4")
			case "xlsx":
				want = filepath.Join(dir, "run.xlsx")
			}
			for _, p := range s.Output {
				if !strings.HasPrefix(p, want) {
					t.Fatalf("output %s, want under %s", p, want)
				}
				if st, err := os.Stat(p); err != nil || st.Size() == 0 {
					t.Fatalf("output %s: %v", p, err)
				}
			}
		})
	}
}

func TestConvertTornFile(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "torn.xlog")
	if err := recordtest.WriteFile(src, recordtest.NarrowMeta(), 200000); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(src)
	if err := os.Truncate(src, st.Size()-100); err != nil {
		t.Fatal(err)
	}
	ios, _, out, errOut := cmdutil.Test()
	cmd := NewCmd(cmdutil.New(ios))
	cmd.SetArgs([]string{src, "--to", "csv", "-o", filepath.Join(dir, "x.csv")})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "not closed cleanly") || !strings.Contains(out.String(), "NOT closed cleanly") {
		t.Fatalf("stdout %q\nstderr %q", out, errOut)
	}
}

func TestConvertNotARecording(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.xlog")
	os.WriteFile(p, []byte("hello"), 0o644)
	ios, _, _, _ := cmdutil.Test()
	cmd := NewCmd(cmdutil.New(ios))
	cmd.SetArgs([]string{p, "--to", "csv"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); !errors.Is(err, record.ErrNotRecording) || !strings.Contains(err.Error(), p) {
		t.Fatalf("got %v", err)
	}
}
