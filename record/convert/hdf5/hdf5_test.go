package hdf5_test

import (
	"context"
	"fmt"
	"github.com/goxcp/goxcp/protocol/xcp"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	h5 "github.com/scigolib/hdf5"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/hdf5"
	"github.com/goxcp/goxcp/record/recordtest"
)

func convertFile(t *testing.T, meta *record.Meta, n int) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "in.xlog")
	if err := recordtest.WriteFile(src, meta, n); err != nil {
		t.Fatal(err)
	}
	r, err := record.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := hdf5.Count(context.Background(), r)
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	r, err = record.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := filepath.Join(dir, "out.h5")
	if _, err := convert.Run(context.Background(), r, hdf5.New(out, counts)); err != nil {
		t.Fatal(err)
	}
	return out
}

// expected returns the values of every column of every table, as float64.
func expected(meta *record.Meta, n int) map[string][]float64 {
	want := map[string][]float64{}
	nl := len(meta.DAQ.Lists)
	for li, tab := range convert.Tables(meta) {
		for k := 0; k*nl+li < n; k++ {
			c := 0
			want["/"+tab.Name+"/"+tab.Columns[c].Name] = append(want["/"+tab.Name+"/"+tab.Columns[c].Name], float64((k*nl+li)*1000))
			c++
			if tab.HasSlave {
				v := float64(recordtest.SlaveTicks(li, k)-recordtest.SlaveTicks(0, 0)) * meta.DAQ.TimestampTickNS
				want["/"+tab.Name+"/"+tab.Columns[c].Name] = append(want["/"+tab.Name+"/"+tab.Columns[c].Name], v)
				c++
			}
			for j := range meta.DAQ.Lists[li].Measurements {
				p := "/" + tab.Name + "/" + tab.Columns[c+j].Name
				want[p] = append(want[p], recordtest.Value(meta, li, j, k).Float64())
			}
		}
	}
	return want
}

func wideMeta() *record.Meta {
	m := recordtest.NarrowMeta()
	l := &m.DAQ.Lists[0]
	l.Name = "wide"
	l.Measurements = nil
	for i := range 300 { // more than one symbol table node (128 entries)
		l.Measurements = append(l.Measurements, record.Measurement{Measurement: dto.Measurement{Name: fmt.Sprintf("signal_%03d", 299-i), Type: dto.I16}, ODT: i / 100, Offset: map[bool]int{true: 5, false: 1}[i/100 == 0] + 2*(i%100)})
	}
	l.ODTs = 3
	return m
}

func TestLinkNames(t *testing.T) {
	m := recordtest.NarrowMeta()
	l := &m.DAQ.Lists[0]
	l.Measurements = append(l.Measurements,
		record.Measurement{Measurement: dto.Measurement{Name: "a/b", Type: dto.U8}, Offset: 7},
		record.Measurement{Measurement: dto.Measurement{Name: "a_b", Type: dto.U8}, Offset: 8},
		record.Measurement{Measurement: dto.Measurement{Name: ".", Type: dto.U8}, Offset: 9},
		record.Measurement{Measurement: dto.Measurement{Name: "arr[0].x", Type: dto.U8}, Offset: 10})
	out := convertFile(t, m, 10)
	f, err := h5.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var paths []string
	f.Walk(func(path string, obj h5.Object) {
		if _, ok := obj.(*h5.Dataset); ok {
			paths = append(paths, path)
		}
	})
	sort.Strings(paths)
	want := []string{"/narrow/_", "/narrow/a_b", "/narrow/a_b_2", "/narrow/arr[0].x", "/narrow/counter", "/narrow/host_ns", "/narrow/slave_ns"}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Fatalf("datasets %q, want %q", paths, want)
	}
}

func TestHDF5(t *testing.T) {
	for _, c := range []struct {
		name string
		meta *record.Meta
		n    int
	}{
		{"mixed", recordtest.MixedMeta(xcp.IDAbsODT, 4, "intel"), 3001},
		{"wide", wideMeta(), 500},
		{"empty", recordtest.NarrowMeta(), 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := convertFile(t, c.meta, c.n)
			want := expected(c.meta, c.n)
			h5dumpCheck(t, out, want)
			if c.name == "wide" {
				// github.com/scigolib/hdf5 cannot read groups with more
				// than one symbol table node; h5dump can.
				return
			}
			// Read back with an independent HDF5 reader as well.
			f, err := h5.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			seen := 0
			f.Walk(func(path string, obj h5.Object) {
				ds, ok := obj.(*h5.Dataset)
				if !ok {
					return
				}
				seen++
				w, ok := want[path]
				if !ok && c.n > 0 {
					t.Errorf("unexpected dataset %s", path)
					return
				}
				got, err := ds.Read()
				if err != nil && strings.Contains(err.Error(), "unsupported datatype") {
					return // that reader converts only 4- and 8-byte numbers
				}
				if err != nil && len(w) > 0 {
					t.Errorf("%s: %v", path, err)
					return
				}
				if len(got) != len(w) {
					t.Errorf("%s: %d values, want %d", path, len(got), len(w))
					return
				}
				for i := range got {
					if got[i] != w[i] {
						t.Errorf("%s[%d] = %v, want %v", path, i, got[i], w[i])
						return
					}
				}
			})
			if c.n > 0 && seen != len(want) {
				t.Fatalf("%d datasets, want %d", seen, len(want))
			}
		})
	}
}

// h5dumpCheck checks every dataset with the HDF5 tools, if installed.
func h5dumpCheck(t *testing.T, out string, want map[string][]float64) {
	if _, err := exec.LookPath("h5dump"); err != nil {
		t.Log("h5dump not installed: skipping the check with the HDF5 tools")
		return
	}
	if b, err := exec.Command("h5dump", "-H", out).CombinedOutput(); err != nil {
		t.Fatalf("h5dump -H: %v\n%s", err, b)
	}
	paths := make([]string, 0, len(want))
	for p := range want {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	step := max(len(paths)/12, 1) // h5dump is slow to start: check a spread
	for i := 0; i < len(paths); i += step {
		path, w := paths[i], want[paths[i]]
		b, err := exec.Command("h5dump", "-y", "-w", "0", "-m", "%.17g", "-d", path, out).CombinedOutput()
		if err != nil {
			t.Fatalf("h5dump %s: %v\n%s", path, err, b)
		}
		s := string(b)
		i := strings.Index(s, "DATA {")
		if i < 0 {
			t.Fatalf("h5dump %s: no data:\n%s", path, s)
		}
		s = s[i+6:]
		s = s[:strings.Index(s, "}")]
		fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' })
		if len(fields) != len(w) {
			t.Fatalf("h5dump %s: %d values, want %d", path, len(fields), len(w))
		}
		for i, fs := range fields {
			v, err := strconv.ParseFloat(fs, 64)
			if err != nil || v != w[i] {
				t.Fatalf("h5dump %s[%d] = %s, want %v", path, i, fs, w[i])
			}
		}
	}
}
