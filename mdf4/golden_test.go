package mdf4

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestGoldenAgainstAsammdf re-encodes the metadata blocks of a file
// written by asammdf 8.2.9 from their decoded values and the original
// links: the bytes must be identical to asammdf's.
func TestGoldenAgainstAsammdf(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "mdf", "asammdf", "asammdf_410_plain.mf4")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Read(&memFile{b: raw}, int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	same := func(what string, off int64, b *block) {
		t.Helper()
		got := appendBlock(nil, b)
		want := raw[off : off+int64(len(got))]
		if d := cmp.Diff(hex.Dump(want), hex.Dump(got)); d != "" {
			t.Errorf("%s at %d (-asammdf +ours):\n%s", what, off, d)
		}
	}
	hd, _ := f.readBlock(hdOffset, idHD)
	same("HD", hdOffset, hdBlock(hdLinks{hd.links[0], hd.links[1], hd.links[2], hd.links[3], hd.links[4], hd.links[5]}, f.Header.Start))
	n := 0
	for _, g := range f.Groups {
		cg, _ := f.readBlock(uint64(g.off), idCG)
		l := cg.links
		same("CG", g.off, cgBlock(cgLinks{l[0], l[1], l[2], l[3], l[4], l[5]}, g))
		dg, _ := f.readBlock(uint64(g.dg.off), idDG)
		same("DG", g.dg.off, dgBlock(dg.links[0], dg.links[1], dg.links[2], dg.links[3], uint8(g.dg.recIDSize)))
		for _, c := range g.Channels {
			cn, _ := f.readBlock(uint64(c.off), idCN)
			l := cn.links
			same("CN "+c.Name, c.off, cnBlock(cnLinks{l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7]}, c))
			tx, _ := f.readBlock(l[2], idTX)
			same("TX "+c.Name, tx.off, textBlock(idTX, c.Name))
			if l[4] != 0 {
				cc, _ := f.readBlock(l[4], idCC)
				same("CC "+c.Name, cc.off, ccBlock(cc.links[0], cc.links[1], cc.links[2], cc.links[3], cc.links[4:], c.Conversion))
			}
			n++
		}
	}
	if n != 6 {
		t.Errorf("%d channels compared", n)
	}
}

// TestGoldenBlocks pins the bytes of blocks asammdf's files do not
// contain, field by field from the standard's tables.
func TestGoldenBlocks(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, tc := range []struct {
		name string
		b    *block
		want string
	}{
		{"FH", fhBlock(0x100, 0x200, start), `
			2323464800000000 3800000000000000 0200000000000000 ; ##FH, length 56, 2 links
			0001000000000000 0002000000000000                  ; fh_fh_next, fh_md_comment
			0632961cf2ca8618 0000 0000 02 000000               ; time ns, tz, dst, flags: offsets valid`},
		{"SI", siBlock(1, 2, 3, &Source{Type: SourceECU, Bus: BusEthernet, Simulated: true}), `
			2323534900000000 3800000000000000 0300000000000000 ; ##SI, 56, 3 links
			0100000000000000 0200000000000000 0300000000000000 ; name, path, comment
			01 07 01 0000000000                                ; ECU, Ethernet, simulated`},
		{"EV", evBlock(evLinks{next: 1, parent: 0, rng: 2, name: 3, md: 4, scope: []uint64{5}},
			&Event{Type: EventAcquisitionInterrup, Range: RangeEnd, Cause: CauseError, Time: 1.5}), `
			2323455600000000 6800000000000000 0600000000000000 ; ##EV, 104, 6 links
			0100000000000000 0000000000000000 0200000000000000 ; next, parent, range
			0300000000000000 0400000000000000 0500000000000000 ; name, comment, scope[0]
			02 01 02 01 00 000000                              ; acquisition interrupt, time, range end, error
			01000000 0000 0000                                 ; 1 scope, 0 attachments, creator 0
			002f685900000000 95d626e80b2e113e                  ; base 1.5e9, factor 1e-9`},
		{"DL", dlBlock(0, []uint64{0x40, 0x80}, []uint64{0, 4096}), `
			2323444c00000000 4800000000000000 0300000000000000 ; ##DL, 72, 3 links
			0000000000000000 4000000000000000 8000000000000000 ; next, data[2]
			00 000000 02000000                                 ; flags, count 2
			0000000000000000 0010000000000000                  ; offsets`},
		{"HL", hlBlock(0x40, zipTransposed), `
			2323484c00000000 2800000000000000 0100000000000000 ; ##HL, 40, 1 link
			4000000000000000                                   ; dl_first
			0000 01 0000000000                                 ; flags, transposed deflate`},
		{"TX", textBlock(idTX, "km/h"), `
			2323545800000000 2000000000000000 0000000000000000 ; ##TX, 32, 0 links
			6b6d2f6800000000                                   ; "km/h" NUL, padded`},
	} {
		want, err := hex.DecodeString(stripHex(tc.want))
		if err != nil {
			t.Fatal(err)
		}
		if got := appendBlock(nil, tc.b); !cmp.Equal(got, want) {
			t.Errorf("%s:\n got %x\nwant %x", tc.name, got, want)
		}
	}
	dz := appendDZHeader(nil, idDT, zipTransposed, 44, 4400, 123)
	// ##DZ, length 24+24+123, 0 links, "DT", transposed, 44 columns, 4400 raw, 123 stored
	wantDZ := "2323445a00000000" + "ab00000000000000" + "0000000000000000" + "4454" + "01" + "00" + "2c000000" + "3011000000000000" + "7b00000000000000"
	if hex.EncodeToString(dz) != wantDZ {
		t.Errorf("DZ header\n got %x\nwant %s", dz, wantDZ)
	}
	id := appendID(nil, 420, "goxcp", true)
	wantID := hex.EncodeToString([]byte("MDF     4.20    goxcp   ")) + "00000000" + "a401" + strings.Repeat("00", 30) + "00000000"
	if hex.EncodeToString(id) != wantID {
		t.Errorf("ID\n got %x\nwant %s", id, wantID)
	}
}

// stripHex removes spaces, newlines and ';' comments from a hex table.
func stripHex(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		b.WriteString(strings.Join(strings.Fields(line), ""))
	}
	return b.String()
}
