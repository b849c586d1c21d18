package mdf4

import (
	"github.com/goxcp/goxcp/internal/fuzzmin"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead feeds outside bytes to the reader: metadata, data blocks,
// conversions. It must return errors, never panic or hang. The seed
// corpus (asammdf's files and files of this writer) runs as a normal
// test.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"asammdf_410_plain.mf4", "asammdf_410_deflate.mf4", "asammdf_420_transposed_deflate.mf4"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "shared", "mdf", "asammdf", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, o := range []Options{{Compression: NoCompression}, {BlockSize: 256}, {Version: Version420, BlockSize: 256}} {
		f.Add(writeTestFile(f, o, 20))
	}
	f.Add(buildUnsorted(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Read(&memFile{b: b}, int64(len(b)))
		if err != nil {
			return
		}
		for _, g := range file.Groups {
			if g.DataBytes+g.InvalBytes > 1<<16 {
				continue // valid, but too slow to allocate per input
			}
			n := 0
			for r := file.Records(g); r.Next() && n < 2000; n++ {
				rec := r.Record()
				for _, c := range g.Channels {
					if c.Numeric() {
						c.Conversion.Apply(c.Float(rec))
						c.Int(rec)
					}
					c.Bytes(rec)
					c.Invalid(rec)
				}
			}
		}
	})
}

// TestMain bounds the fuzzer's minimisation of each new input to a second
// (fuzzmin): a valid MDF file is kilobytes of blocks, and minimising each
// for the default minute kept FuzzRead from fuzzing.
func TestMain(m *testing.M) { fuzzmin.Main(m) }
