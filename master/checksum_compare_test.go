package master_test

import (
	"context"
	"fmt"
	"log"
	"testing"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
)

// Compare the slave's BUILD_CHECKSUM of a range with a local
// calculation; the slave takes at most 0x400 bytes per BUILD_CHECKSUM, so
// the range is checked in blocks. (The simulator's free RAM starts at
// RAMBase+0x10000; below it live variables change between the checksum
// and the read.)
func ExampleMaster_CompareChecksum() {
	ctx := context.Background()
	conn, stop := serveSim(ctx, sim.Config{MaxChecksumBlock: 0x400, Checksum: xcp.ChecksumCRC32})
	defer stop()
	m := master.New(conn, master.Config{})
	defer m.Close()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		log.Fatal(err)
	}
	blocks, err := m.CompareChecksum(ctx, sim.RAMBase+0x10000, 0, 0x1000)
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range blocks {
		fmt.Printf("0x%X+0x%X %s match=%v\n", b.Addr, b.Len, b.Type, b.Match)
	}
	// Output:
	// 0x110000+0x400 XCP_CRC_32 match=true
	// 0x110400+0x400 XCP_CRC_32 match=true
	// 0x110800+0x400 XCP_CRC_32 match=true
	// 0x110C00+0x400 XCP_CRC_32 match=true
}

func TestCompareChecksumTypes(t *testing.T) {
	for _, c := range []struct {
		cfg      sim.Config
		computed bool
	}{
		{sim.Config{Checksum: xcp.ChecksumAdd44, AG: xcp.Word, Order: xcp.Motorola}, true},
		{sim.Config{Checksum: xcp.ChecksumCRC16CITT}, true},
	} {
		ctx := context.Background()
		conn, stop := serveSim(ctx, c.cfg)
		m := master.New(conn, master.Config{})
		if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
			t.Fatal(err)
		}
		bs, err := m.CompareChecksum(ctx, sim.RAMBase+0x10000, 0, 64)
		if err != nil || len(bs) != 1 || bs[0].Computed != c.computed || bs[0].Match != c.computed || bs[0].Type != c.cfg.Checksum {
			t.Errorf("%v: %+v %v", c.cfg.Checksum, bs, err)
		}
		m.Close()
		stop()
	}
}
