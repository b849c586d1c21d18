package pgm_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/goxcp/goxcp/pgm"
	"github.com/goxcp/goxcp/sim"
)

// BenchmarkFlash programs all four simulator sectors (16 KiB) over TCP on
// the loopback interface: clear, program (MAX_CTO_PGM 255, block mode),
// BUILD_CHECKSUM verification; no reset, so the session is reused.
func BenchmarkFlash(b *testing.B) {
	ctx := context.Background()
	_, m := startSim(b, sim.Config{})
	layout, err := pgm.ReadLayout(ctx, m)
	if err != nil {
		b.Fatal(err)
	}
	img, _ := pgm.NewImage([]pgm.Segment{{Addr: sim.FlashBase, Data: pattern(sim.FlashSectors*sim.SectorSize, 3)}})
	plan, err := pgm.NewPlan(img, layout, pgm.ClearAbsolute, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(plan.Bytes()))
	for b.Loop() {
		if err := pgm.Run(ctx, m, plan, pgm.Options{Verify: pgm.VerifyChecksum, NoReset: true, Chunk: 4096}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadSRec parses a 1 MiB image as S3 records of 32 bytes.
func BenchmarkReadSRec(b *testing.B) {
	var buf bytes.Buffer
	data := pattern(1<<20, 1)
	for off := 0; off < len(data); off += 32 {
		rec := append([]byte{4 + 32 + 1, 0, byte(off >> 16), byte(off >> 8), byte(off)}, data[off:off+32]...)
		var sum byte
		for _, c := range rec {
			sum += c
		}
		fmt.Fprintf(&buf, "S3%X%02X\n", rec, ^sum)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := pgm.ReadSRec(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}
