package convert

import (
	stdcsv "encoding/csv"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/record/recordtest"
)

func runConvert(t *testing.T, args ...string) string {
	t.Helper()
	ios, _, _, errOut := cmdutil.Test()
	cmd := NewCmd(cmdutil.New(ios))
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("xcp convert %q: %v", args, err)
	}
	return errOut.String()
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := stdcsv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// The files asammdf 8.2.9 wrote convert with their documented values, to
// every format.
func TestConvertAsammdfFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"asammdf_410_plain.mf4", "asammdf_410_deflate.mf4", "asammdf_420_transposed_deflate.mf4"} {
		in := filepath.Join("..", "..", "..", "..", "shared", "mdf", "asammdf", name)
		for _, to := range Formats() {
			out := filepath.Join(dir, name+"."+to)
			if perList(to) { // two lists: a directory
				out += string(filepath.Separator)
			}
			runConvert(t, in, "--to", to, "-o", out)
		}
		fast := readCSV(t, filepath.Join(dir, name+".csv", "fast_list.csv"))
		slow := readCSV(t, filepath.Join(dir, name+".csv", "slow_list.csv"))
		if len(fast) != 1001 || len(slow) != 101 || strings.Join(fast[0], ",") != "host_ns,counter [ms],sine [V]" ||
			strings.Join(slow[0], ",") != "host_ns,temp [degC],mode" {
			t.Fatalf("%s: %d/%d rows, headers %q %q", name, len(fast), len(slow), fast[0], slow[0])
		}
		for i, r := range fast[1:] {
			sine, _ := strconv.ParseFloat(r[2], 64)
			if r[0] != strconv.Itoa(i*1000000) || r[1] != strconv.Itoa(i) || math.Abs(sine-math.Sin(2*math.Pi*float64(i)/1000)) > 1e-6 {
				t.Fatalf("%s: fast row %d: %q", name, i, r)
			}
		}
		for i, r := range slow[1:] {
			if r[0] != strconv.Itoa(i*10000000) || r[1] != strconv.FormatFloat(0.5*float64(i)-40, 'g', -1, 64) || r[2] != []string{"OFF", "ECO", "SPORT"}[i%3] {
				t.Fatalf("%s: slow row %d: %q", name, i, r)
			}
		}
	}
}

// A recording converted to MDF and from there to CSV gives the CSV of the
// recording itself (slave_ns aside: MDF has the ECU time on the host time
// base).
func TestConvertViaMDF(t *testing.T) {
	for _, v := range []string{"4.10", "4.20"} {
		dir := t.TempDir()
		src := filepath.Join(dir, "run.xlog")
		meta := recordtest.MixedMeta(xcp.IDRelODTAbsDAQByte, 4, "motorola")
		if err := recordtest.WriteFile(src, meta, 1200); err != nil {
			t.Fatal(err)
		}
		runConvert(t, src, "--to", "csv", "-o", filepath.Join(dir, "direct")+string(filepath.Separator))
		runConvert(t, src, "--to", "mf4", "--mdf-version", v, "-o", filepath.Join(dir, "run.mf4"))
		if e := runConvert(t, filepath.Join(dir, "run.mf4"), "--to", "csv", "-o", filepath.Join(dir, "via")+string(filepath.Separator)); e != "" {
			t.Errorf("stderr %q", e)
		}
		for _, l := range []string{"ints", "floats"} {
			a := readCSV(t, filepath.Join(dir, "direct", l+".csv"))
			b := readCSV(t, filepath.Join(dir, "via", l+".csv"))
			if len(a) != len(b) {
				t.Fatalf("%s: %d rows, want %d", l, len(b), len(a))
			}
			for i := range a {
				ra, rb := fmt.Sprint(a[i][0], a[i][2:]), fmt.Sprint(b[i][0], b[i][2:])
				if ra != rb {
					t.Fatalf("%s %s row %d: %s, want %s", v, l, i, rb, ra)
				}
			}
		}
	}
}
