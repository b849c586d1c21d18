package record_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/recordtest"
)

// withMeta returns the recording b with its metadata JSON replaced by
// edit's result (header CRC-32C recomputed): how a file of another
// metadata version looks.
func withMeta(t *testing.T, b []byte, edit func(map[string]any)) []byte {
	t.Helper()
	const fixed = 24
	le := binary.LittleEndian
	n := int(le.Uint32(b[12:]))
	var m map[string]any
	if err := json.Unmarshal(b[fixed:fixed+n], &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	hdr := append([]byte(nil), b[:fixed]...)
	le.PutUint32(hdr[12:], uint32(len(js)))
	hdr = append(hdr, js...)
	hdr = le.AppendUint32(hdr, crc32.Checksum(hdr, crc32.MakeTable(crc32.Castagnoli)))
	return append(hdr, b[fixed+n+4:]...)
}

// TestMetaVersions: metadata version 1 (before conversions; camelCase
// keys, made from a version 2 file of testdata/compat) is still read; a
// conversion survives the file header in today's version, whose keys are
// snake_case; a version above MetaVersion is refused.
func TestMetaVersions(t *testing.T) {
	dir := t.TempDir()
	v2, err := os.ReadFile("testdata/compat/v2-tcp.xlog")
	if err != nil {
		t.Fatal(err)
	}
	v1 := withMeta(t, v2, func(m map[string]any) {
		m["version"] = 1
		for _, l := range m["daq"].(map[string]any)["lists"].([]any) {
			for _, ms := range l.(map[string]any)["measurements"].([]any) {
				delete(ms.(map[string]any), "conversion")
			}
		}
	})
	r, err := record.NewReader(bytes.NewReader(v1))
	if err != nil {
		t.Fatalf("version 1: %v", err)
	}
	if m := r.Meta(); m.Version != 1 || m.Slave.ByteOrder != "intel" || m.DAQ.Lists[0].Measurements[2].BitMask != 1 ||
		m.DAQ.Lists[1].Measurements[0].Unit != "ms" || m.DAQ.Lists[1].Measurements[0].Conversion != nil {
		t.Errorf("version 1 read as %+v", m)
	}

	m := recordtest.NarrowMeta()
	m.DAQ.Lists[0].Measurements[0].BitMask = 0x0FF0
	m.DAQ.Lists[0].Measurements[0].Conversion = &compu.Spec{Name: "cm", Type: "LINEAR", Coeffs: []float64{0.5, -1}, Unit: "rpm"}
	path := filepath.Join(dir, "v.xlog")
	if err := recordtest.WriteFile(path, m, 10); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"byte_order":"intel"`, `"id_field":"absolute"`, `"timestamp_tick_ns":1000`, `"bit_mask":4080`, `"max_dto":8`, `"event_name":"1ms"`} {
		if !bytes.Contains(b, []byte(key)) {
			t.Errorf("metadata lacks %s", key)
		}
	}
	r, err = record.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	got := r.Meta()
	r.Close()
	gm := got.DAQ.Lists[0].Measurements[0]
	if got.Version != record.MetaVersion || gm.BitMask != 0x0FF0 || gm.Conversion == nil || gm.Conversion.Type != "LINEAR" ||
		gm.Conversion.Coeffs[0] != 0.5 || gm.Conversion.Unit != "rpm" || got.DAQ.Lists[0].EventName != "1ms" {
		t.Errorf("version %d: %+v", got.Version, gm)
	}

	future := withMeta(t, b, func(m map[string]any) { m["version"] = record.MetaVersion + 1 })
	if _, err := record.NewReader(bytes.NewReader(future)); !errors.Is(err, record.ErrVersion) {
		t.Errorf("future metadata version: %v", err)
	}
	bad := withMeta(t, b, func(m map[string]any) { m["daq"].(map[string]any)["id_field"] = "pid" })
	if _, err := record.NewReader(bytes.NewReader(bad)); !errors.Is(err, record.ErrCorrupt) || !strings.Contains(err.Error(), `"pid"`) {
		t.Errorf("unknown identification field: %v", err)
	}
	old := withMeta(t, v2, func(m map[string]any) {
		m["daq"].(map[string]any)["lists"].([]any)[0].(map[string]any)["prescaler"] = 300
	})
	if _, err := record.NewReader(bytes.NewReader(old)); !errors.Is(err, record.ErrCorrupt) || !strings.Contains(err.Error(), "prescaler 300") {
		t.Errorf("version 2 prescaler out of range: %v", err)
	}
}
