package record_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/recordtest"
)

// TestMetaVersions: files with metadata version 1 (before conversions)
// are still read; a conversion survives the file header; a version above
// MetaVersion is refused.
func TestMetaVersions(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []int{1, record.MetaVersion} {
		m := recordtest.NarrowMeta()
		m.Version = v
		if v > 1 {
			m.DAQ.Lists[0].Measurements[0].Conversion = &compu.Spec{Name: "cm", Type: "LINEAR", Coeffs: []float64{0.5, -1}, Unit: "rpm"}
		}
		path := filepath.Join(dir, "v.xlog")
		if err := recordtest.WriteFile(path, m, 10); err != nil {
			t.Fatal(err)
		}
		r, err := record.Open(path)
		if err != nil {
			t.Fatalf("version %d: %v", v, err)
		}
		got := r.Meta()
		r.Close()
		if got.Version != v {
			t.Errorf("version %d read as %d", v, got.Version)
		}
		c := got.DAQ.Lists[0].Measurements[0].Conversion
		if (v > 1) != (c != nil) || (c != nil && (c.Type != "LINEAR" || c.Coeffs[0] != 0.5 || c.Unit != "rpm")) {
			t.Errorf("version %d: conversion %+v", v, c)
		}
	}
	m := recordtest.NarrowMeta()
	m.Version = record.MetaVersion + 1
	path := filepath.Join(dir, "future.xlog")
	if err := recordtest.WriteFile(path, m, 1); err != nil {
		t.Fatal(err)
	}
	if r, err := record.Open(path); !errors.Is(err, record.ErrVersion) {
		if r != nil {
			r.Close()
		}
		t.Errorf("future metadata version: %v", err)
	}
}
