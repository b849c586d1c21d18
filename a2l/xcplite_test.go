package a2l_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/a2ltest"
)

func sharedDir(t testing.TB) string { return a2ltest.XCPlite(t) }

func TestParseXCPliteStrict(t *testing.T) {
	dir := sharedDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.a2l"))
	if len(files) == 0 {
		t.Fatalf("no .a2l files in %s", dir)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := a2l.ParseFile(path, a2l.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Modules) != 1 {
				t.Fatalf("modules = %d", len(f.Modules))
			}
			m := f.Modules[0]
			if m.A2ML == "" {
				t.Error("A2ML from /include XCP_104.aml missing")
			}
			t.Logf("%d measurements, %d characteristics, %d instances, %d typedef structs, warnings %d",
				len(m.Measurements), len(m.Characteristics), len(m.Instances), len(m.TypedefStructures), len(f.Warnings))
		})
	}
}

func TestResolveXCPlite(t *testing.T) {
	dir := sharedDir(t)
	tests := []struct {
		file, name string
		kind       a2l.Kind
		addr       uint32
		ext        uint8
		typ        string // data type (measurement) or record layout / char type
		dims       []int
	}{
		{"c_demo.a2l", "counter", a2l.KindMeasurement, 0x675AEA76, 1, "UWORD", nil},
		{"c_demo.a2l", "g_counter64s", a2l.KindMeasurement, 0x28070, 1, "A_INT64", nil},
		{"c_demo.a2l", "counter8", a2l.KindMeasurement, 0xFEA5, 2, "UBYTE", nil},
		{"c_demo.a2l", "matrix_f32", a2l.KindCharacteristic, 0xFF40, 2, "VAL_BLK F32", []int{8, 4}},
		{"c_demo.a2l", "params.curve", a2l.KindCharacteristic, 0x8001004C, 0, "CURVE F32", nil},
		{"c_demo.a2l", "params.map", a2l.KindCharacteristic, 0x8001000A, 0, "MAP I8", nil},
		{"c_demo.a2l", "params.delay_us", a2l.KindCharacteristic, 0x80010004, 0, "VALUE U32", nil},
		{"c_demo.a2l", "params_copy.delay_us", a2l.KindMeasurement, 0x2A274, 1, "ULONG", nil},
		{"struct_demo.a2l", "local_struct1_array[2].struct_field.word_field", a2l.KindMeasurement, 0xF538 + 2*0x130 + 0x104, 2, "SWORD", nil},
		{"struct_demo.a2l", "static_struct1.array_struct_field[3].byte_field", a2l.KindMeasurement, 0x2C00E + 0x108 + 3*4 + 2, 1, "UBYTE", nil},
		{"struct_demo.a2l", "heap_struct1.array_field", a2l.KindMeasurement, 0x400004, 3, "UBYTE", []int{256}},
		{"point_cloud_demo.a2l", "points_[7].y", a2l.KindMeasurement, 7*0x20 + 4, 7, "FLOAT32_IEEE", nil},
		{"cpp_demo.a2l", "SigGen2.lookup.values", a2l.KindCharacteristic, 0x80030020, 0, "CURVE F32", nil},
		{"multi_thread_demo.a2l", "task_5.array", a2l.KindCharacteristic, 0x100FBE8, 2, "VAL_BLK U32", []int{256, 1}},
		{"hello_xcp.a2l", "params.counter_max", a2l.KindCharacteristic, 0x80010000, 0, "VALUE U16", nil},
	}
	files := map[string]*a2l.Module{}
	for _, tc := range tests {
		m := files[tc.file]
		if m == nil {
			f, err := a2l.ParseFile(filepath.Join(dir, tc.file), a2l.Options{})
			if err != nil {
				t.Fatal(err)
			}
			m = f.Modules[0]
			files[tc.file] = m
		}
		o, err := m.Resolve(tc.name)
		if err != nil {
			t.Errorf("%s %s: %v", tc.file, tc.name, err)
			continue
		}
		c := o.Common()
		var typ string
		switch o.Kind {
		case a2l.KindMeasurement:
			typ = o.Measurement.DataType.String()
		case a2l.KindCharacteristic:
			typ = o.Characteristic.Type.String() + " " + o.Characteristic.Deposit
		}
		if o.Kind != tc.kind || c.Address != tc.addr || c.AddrExt != int16(tc.ext) || typ != tc.typ || fmt.Sprint(c.MatrixDim) != fmt.Sprint(tc.dims) || o.Name() != tc.name {
			t.Errorf("%s %s = %v %q 0x%X ext %d %q %v, want %v 0x%X ext %d %q %v", tc.file, tc.name,
				o.Kind, o.Name(), c.Address, c.AddrExt, typ, c.MatrixDim, tc.kind, tc.addr, tc.ext, tc.typ, tc.dims)
		}
	}
	// Every listed name resolves.
	for file, m := range files {
		for _, n := range m.Names() {
			if _, err := m.Resolve(n); err != nil {
				t.Errorf("%s: listed name does not resolve: %v", file, err)
			}
		}
	}
	m := files["struct_demo.a2l"]
	for _, bad := range []string{"nope", "local_struct1_array.byte_field", "local_struct1_array[8].byte_field", "local_struct1.nofield", "local_struct1"} {
		if _, err := m.Resolve(bad); err == nil {
			t.Errorf("Resolve(%q) succeeded", bad)
		}
	}
}
