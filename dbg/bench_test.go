package dbg

import (
	"fmt"
	"testing"

	"github.com/goxcp/goxcp/sim"
)

// BenchmarkRead measures memory reads through the simulator over an
// in-memory pipe: 16 KiB per operation, DWORD elements.
func BenchmarkRead(b *testing.B) {
	for _, c := range []struct {
		name   string
		maxCTO int
		block  bool
	}{{"std-1456-slaveblock", 1456, true}, {"std-1456", 1456, false}, {"can-8-slaveblock", 8, true}, {"can-8", 8, false}} {
		b.Run(c.name, func(b *testing.B) {
			e := setupB(b, sim.Config{NoSlaveBlockMode: !c.block, NoMasterBlockMode: !c.block, Dbg: sim.DbgConfig{MaxCTODbg: c.maxCTO}})
			b.SetBytes(16 << 10)
			b.ResetTimer()
			for b.Loop() {
				if _, err := e.d.Read(e.ct, 0, 4, 0x70000000, 4096); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWrite measures memory writes (16 KiB per operation).
func BenchmarkWrite(b *testing.B) {
	for _, c := range []struct {
		maxCTO int
		block  bool
	}{{1456, true}, {1456, false}, {8, true}, {8, false}} {
		b.Run(fmt.Sprintf("cto-%d-block-%v", c.maxCTO, c.block), func(b *testing.B) {
			e := setupB(b, sim.Config{NoSlaveBlockMode: !c.block, NoMasterBlockMode: !c.block, Dbg: sim.DbgConfig{MaxCTODbg: c.maxCTO}})
			data := randBytes(16<<10, 1)
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for b.Loop() {
				if err := e.d.Write(e.ct, 0, 4, 0x70000000, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
