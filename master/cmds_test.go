package master

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

var testCfg = Config{Timeouts: Timeouts{T1: 100 * time.Millisecond, T6: 50 * time.Millisecond, T7: time.Millisecond}}

type variant struct {
	name                    string
	f                       xcp.Format
	slaveBlock, masterBlock bool
}

var variants = []variant{
	{"intel-byte-cto8", xcp.Format{Order: xcp.Intel, AG: xcp.Byte, MaxCTO: 8, MaxDTO: 8}, false, false},
	{"intel-byte-cto8-blocks", xcp.Format{Order: xcp.Intel, AG: xcp.Byte, MaxCTO: 8, MaxDTO: 8}, true, true},
	{"moto-word-cto16", xcp.Format{Order: xcp.Motorola, AG: xcp.Word, MaxCTO: 16, MaxDTO: 16}, false, false},
	{"moto-word-cto16-blocks", xcp.Format{Order: xcp.Motorola, AG: xcp.Word, MaxCTO: 16, MaxDTO: 16}, true, true},
	{"intel-dword-cto32-blocks", xcp.Format{Order: xcp.Intel, AG: xcp.DWord, MaxCTO: 32, MaxDTO: 32}, true, true},
	{"moto-byte-cto255", xcp.Format{Order: xcp.Motorola, AG: xcp.Byte, MaxCTO: 255, MaxDTO: 1024}, true, false},
}

func newVariant(t testing.TB, v variant) (*memSlave, *Master, func()) {
	s := newMemSlave(v.f)
	s.slaveBlock, s.masterBlock = v.slaveBlock, v.masterBlock
	m, stop := connected(t, s, testCfg)
	return s, m, stop
}

func TestReadWriteVerify(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			s, m, stop := newVariant(t, v)
			defer stop()
			ctx := t.Context()
			ag := v.f.AG.Size()
			for _, n := range []int{ag, 4 * ag, 100 * ag, 1500 * ag} {
				addr := uint32(0x100 + n)
				got, err := m.Read(ctx, addr, 0, n)
				if err != nil {
					t.Fatalf("Read %d: %v", n, err)
				}
				if !bytes.Equal(got, s.mem[addr:addr+uint32(n)]) {
					t.Fatalf("Read %d bytes differs", n)
				}
				data := make([]byte, n)
				for i := range data {
					data[i] = byte(i*13 + n)
				}
				waddr := uint32(0x4000 + n)
				if err := m.Write(ctx, waddr, 0, data); err != nil {
					t.Fatalf("Write %d: %v", n, err)
				}
				if !bytes.Equal(s.mem[waddr:waddr+uint32(n)], data) {
					t.Fatalf("Write %d bytes: slave memory differs", n)
				}
				if err := m.Verify(ctx, waddr, 0, data); err != nil {
					t.Fatalf("Verify %d: %v", n, err)
				}
			}
			// Block modes were used when offered.
			var sawNext, sawMultiUpload bool
			for _, req := range s.log {
				if xcp.Command(req[0]) == xcp.CmdDownloadNext {
					sawNext = true
				}
				if xcp.Command(req[0]) == xcp.CmdUpload && int(req[1]) > v.f.MaxUploadElements() {
					sawMultiUpload = true
				}
			}
			// Block modes pay off only when a block holds two packets or more.
			useMaster := v.masterBlock && 255/v.f.MaxDownloadElements() >= 2
			useSlave := v.slaveBlock && 255/v.f.MaxUploadElements() >= 2
			if sawNext != useMaster {
				t.Errorf("DOWNLOAD_NEXT used = %v, master block mode = %v", sawNext, v.masterBlock)
			}
			if sawMultiUpload != useSlave {
				t.Errorf("multi-packet UPLOAD used = %v, slave block mode = %v", sawMultiUpload, v.slaveBlock)
			}
		})
	}
}

// TestReadWriteOddObjects: with WORD granularity, objects that do not
// cover whole elements are read through the enclosing elements and
// written by read-modify-write, leaving the neighbouring bytes alone.
func TestReadWriteOddObjects(t *testing.T) {
	s, m, stop := newVariant(t, variants[2]) // WORD
	defer stop()
	ctx := t.Context()
	for i := range 8 {
		s.mem[0x100+i] = byte(0xA0 + i)
	}
	got, err := m.Read(ctx, 0x101, 0, 3)
	if err != nil || !bytes.Equal(got, []byte{0xA1, 0xA2, 0xA3}) {
		t.Fatalf("Read 3 bytes at an odd address: % X %v", got, err)
	}
	if err := m.Write(ctx, 0x101, 0, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if want := []byte{0xA0, 1, 2, 3, 0xA4, 0xA5}; !bytes.Equal(s.mem[0x100:0x106], want) {
		t.Fatalf("after the read-modify-write: % X, want % X", s.mem[0x100:0x106], want)
	}
	if err := m.Write(ctx, 0x104, 0, []byte{9}); err != nil || s.mem[0x104] != 9 || s.mem[0x105] != 0xA5 {
		t.Fatalf("1 byte: % X %v", s.mem[0x104:0x106], err)
	}
	if _, err := m.Upload(ctx, 100); err == nil {
		t.Fatal("UPLOAD beyond one packet without slave block mode succeeded")
	}
}

func TestShortCommandsFallBack(t *testing.T) {
	s, m, stop := newVariant(t, variants[0])
	defer stop()
	s.noShort = true
	ctx := t.Context()
	got, err := m.Read(ctx, 0x20, 0, 4)
	if err != nil || !bytes.Equal(got, s.mem[0x20:0x24]) {
		t.Fatalf("Read: % X %v", got, err)
	}
	if err := m.Write(ctx, 0x30, 0, []byte{9}); err != nil || s.mem[0x30] != 9 {
		t.Fatalf("Write: %v", err)
	}
	// The second time SHORT_UPLOAD is not tried again.
	before := len(s.log)
	if _, err := m.Read(ctx, 0x20, 0, 4); err != nil {
		t.Fatal(err)
	}
	if xcp.Command(s.log[before][0]) != xcp.CmdSetMTA {
		t.Fatalf("sent %s after SHORT_UPLOAD was found unknown", xcp.Command(s.log[before][0]))
	}
}

func TestVerifySplitsAndDetectsMismatch(t *testing.T) {
	s, m, stop := newVariant(t, variants[3])
	defer stop()
	s.maxChecksum = 100 // elements
	ctx := t.Context()
	data := append([]byte(nil), s.mem[0x1000:0x1000+1000]...)
	if err := m.Verify(ctx, 0x1000, 0, data); err != nil {
		t.Fatal(err)
	}
	var checks int
	for _, req := range s.log {
		if xcp.Command(req[0]) == xcp.CmdBuildChecksum {
			checks++
		}
	}
	if checks != 1+5 { // one refused, then 500 elements in 5 blocks
		t.Fatalf("%d BUILD_CHECKSUM commands", checks)
	}
	data[777] ^= 1
	err := m.Verify(ctx, 0x1000, 0, data)
	var me *MismatchError
	if !errors.As(err, &me) || !errors.Is(err, ErrMismatch) || me.Addr != 0x1000+600 || me.Len != 200 {
		t.Fatalf("err = %v", err)
	}
}

func TestUploadTimeoutRestoresMTA(t *testing.T) {
	s := newMemSlave(variants[0].f)
	drop := 1
	handle := func(req []byte) [][]byte {
		r := s.handle(req)
		if xcp.Command(req[0]) == xcp.CmdUpload && drop > 0 {
			drop--
			return nil
		}
		return r
	}
	m, stop := fakeSlaveCfg(t, handle, Config{Timeouts: Timeouts{T1: 30 * time.Millisecond, T7: time.Millisecond}})
	defer stop()
	ctx := t.Context()
	if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
		t.Fatal(err)
	}
	got, err := m.Read(ctx, 0x200, 0, 20)
	if err != nil || !bytes.Equal(got, s.mem[0x200:0x214]) {
		t.Fatalf("Read after a lost response: %v", err)
	}
	var seq []string
	for _, req := range s.log {
		seq = append(seq, xcp.Command(req[0]).String())
	}
	want := "[CONNECT GET_COMM_MODE_INFO SET_MTA UPLOAD SYNCH SET_MTA UPLOAD UPLOAD UPLOAD]"
	if got := fmt.Sprint(seq); got != want && got != "[CONNECT SET_MTA UPLOAD SYNCH SET_MTA UPLOAD UPLOAD UPLOAD]" {
		t.Fatalf("sequence %s", got)
	}
	// The restored SET_MTA carries the address of the failed chunk.
	for i, req := range s.log {
		if xcp.Command(req[0]) == xcp.CmdSynch {
			var c xcp.SetMTA
			if err := c.Decode(s.log[i+1], s.f); err != nil || c.Addr != 0x200 {
				t.Fatalf("restored MTA %#x %v", c.Addr, err)
			}
		}
	}
}

func TestSessionCommands(t *testing.T) {
	s := newMemSlave(variants[2].f)
	s.a2l = bytes.Repeat([]byte("/begin PROJECT x \"\" /end PROJECT\n"), 300)
	s.locked = xcp.ResCalPag | xcp.ResPgm
	cfg := testCfg
	cfg.Unlock = func(_ context.Context, _ xcp.Resource, seed []byte) ([]byte, error) { return demoKey(seed), nil }
	m, stop := connected(t, s, cfg)
	defer stop()
	ctx := t.Context()

	st, err := m.GetStatus(ctx)
	if err != nil || st.Protection != xcp.ResCalPag|xcp.ResPgm || st.SessionConfigID != 0x1234 {
		t.Fatalf("GetStatus %+v %v", st, err)
	}
	left, err := m.UnlockIfLocked(ctx, xcp.ResCalPag)
	if err != nil || left != xcp.ResPgm {
		t.Fatalf("UnlockIfLocked: left %s, %v", left, err)
	}
	if left, err = m.UnlockIfLocked(ctx, 0); err != nil || left != 0 {
		t.Fatalf("UnlockIfLocked all: left %s, %v", left, err)
	}
	if err := m.Synch(ctx); err != nil {
		t.Fatal(err)
	}
	if c, err := m.GetCommModeInfo(ctx); err != nil || c.MaxBS != 4 {
		t.Fatalf("GetCommModeInfo %+v %v", c, err)
	}
	if id, err := m.GetID(ctx, xcp.IDASCII); err != nil || string(id) != "fake" {
		t.Fatalf("GetID %q %v", id, err)
	}
	a2l, err := m.FetchA2L(ctx)
	if err != nil || !bytes.Equal(a2l, s.a2l) {
		t.Fatalf("FetchA2L: %d bytes, %v", len(a2l), err)
	}
	if _, err := m.GetID(ctx, xcp.IDURL); !errors.Is(err, ErrNoID) {
		t.Fatalf("GetID URL: %v", err)
	}
	if v, err := m.GetVersion(ctx); err != nil || v.ProtocolMinor != 5 {
		t.Fatalf("GetVersion %+v %v", v, err)
	}
	if err := m.SetRequest(ctx, xcp.RequestStoreCal, 1); err != nil {
		t.Fatal(err)
	}
	if r, err := m.TransportLayerCmd(ctx, 0xFF, []byte{1, 2}); err != nil || !bytes.Equal(r, []byte{0xFF, 1, 2}) {
		t.Fatalf("TransportLayerCmd % X %v", r, err)
	}
	if r, err := m.UserCmd(ctx, 0x01, []byte{3}); err != nil || !bytes.Equal(r, []byte{1, 3}) {
		t.Fatalf("UserCmd % X %v", r, err)
	}
	if _, err := m.UserCmd(ctx, 0x01, make([]byte, 15)); err == nil {
		t.Fatal("oversized USER_CMD accepted")
	}
	if r, err := m.TimeCorrelationProperties(ctx, xcp.TimeCorrelationProperties{}); err != nil || r.ClusterID != 7 {
		t.Fatalf("TimeCorrelationProperties %+v %v", r, err)
	}
}

func TestMemoryCommands(t *testing.T) {
	s, m, stop := newVariant(t, variants[3]) // Motorola WORD, blocks
	defer stop()
	ctx := t.Context()
	if err := m.SetMTA(ctx, 0x500, 0); err != nil {
		t.Fatal(err)
	}
	got, err := m.Upload(ctx, 20)
	if err != nil || !bytes.Equal(got, s.mem[0x500:0x500+40]) {
		t.Fatalf("Upload: %v", err)
	}
	if got, err = m.ShortUpload(ctx, 0x600, 0, 3); err != nil || !bytes.Equal(got, s.mem[0x600:0x606]) {
		t.Fatalf("ShortUpload: %v", err)
	}
	if err := m.SetMTA(ctx, 0x700, 0); err != nil {
		t.Fatal(err)
	}
	max := make([]byte, 14)
	for i := range max {
		max[i] = 0xA0 + byte(i)
	}
	if err := m.DownloadMax(ctx, max); err != nil || !bytes.Equal(s.mem[0x700:0x70E], max) {
		t.Fatalf("DownloadMax: %v", err)
	}
	if err := m.DownloadMax(ctx, max[:4]); err == nil {
		t.Fatal("short DOWNLOAD_MAX accepted")
	}
	// Download with master block mode, then a hand-driven block.
	if err := m.SetMTA(ctx, 0x800, 0); err != nil {
		t.Fatal(err)
	}
	blk := bytes.Repeat([]byte{0x5A}, 40)
	if err := m.Download(ctx, blk); err != nil || !bytes.Equal(s.mem[0x800:0x828], blk) {
		t.Fatalf("Download: %v", err)
	}
	if err := m.ShortDownload(ctx, 0x900, 0, []byte{1, 2, 3, 4}); err != nil || !bytes.Equal(s.mem[0x900:0x904], []byte{1, 2, 3, 4}) {
		t.Fatalf("ShortDownload: %v", err)
	}
	// MODIFY_BITS on the dword at 0x900 (Motorola 0x01020304).
	if err := m.SetMTA(ctx, 0x900, 0); err != nil {
		t.Fatal(err)
	}
	if err := m.ModifyBits(ctx, 8, 0xFF00, 0x0001); err != nil {
		t.Fatal(err)
	}
	want := xcp.ModifyBits{Shift: 8, AndMask: 0xFF00, XorMask: 1}.Apply(0x01020304)
	if got := xcp.Motorola.Uint32(s.mem[0x900:]); got != want {
		t.Fatalf("MODIFY_BITS: %08X, want %08X", got, want)
	}
	r, err := m.Checksum(ctx, 0x800, 0, 40)
	if err != nil || r.Type != xcp.ChecksumCRC16CITT {
		t.Fatalf("Checksum %+v %v", r, err)
	}
}

func TestPagAndPgmCommands(t *testing.T) {
	s, m, stop := newVariant(t, variants[1])
	defer stop()
	ctx := t.Context()
	if err := m.SetCalPage(ctx, xcp.CalPageXCP, 0, 1); err != nil {
		t.Fatal(err)
	}
	if p, err := m.GetCalPage(ctx, xcp.CalPageXCP, 0); err != nil || p != 1 {
		t.Fatalf("GetCalPage %d %v", p, err)
	}
	if err := m.SetCalPage(ctx, xcp.CalPageXCP, 0, 7); !errors.Is(err, xcp.ErrPageNotValid) {
		t.Fatalf("SetCalPage page 7: %v", err)
	}
	if r, err := m.GetPagProcessorInfo(ctx); err != nil || r.MaxSegments != 1 {
		t.Fatalf("GetPagProcessorInfo %+v %v", r, err)
	}
	seg, err := m.SegmentInfo(ctx, 0)
	if err != nil || seg.Address != 0x4000 || seg.Length != 0x1000 || seg.Info.MaxPages != 2 ||
		len(seg.Mappings) != 1 || seg.Mappings[0] != (Mapping{1, 0x11, 0x21}) {
		t.Fatalf("SegmentInfo %+v %v", seg, err)
	}
	if p, err := m.GetPageInfo(ctx, 0, 0); err != nil || p.Properties != 0x15 {
		t.Fatalf("GetPageInfo %+v %v", p, err)
	}
	if err := m.SetSegmentMode(ctx, xcp.SegmentFreeze, 0); err != nil {
		t.Fatal(err)
	}
	if md, err := m.GetSegmentMode(ctx, 0); err != nil || md != 1 {
		t.Fatalf("GetSegmentMode %d %v", md, err)
	}
	if err := m.CopyCalPage(ctx, 0, 1, 0, 0); err != nil {
		t.Fatal(err)
	}
	// PGM
	if err := m.Program(ctx, []byte{1}); !errors.Is(err, ErrNoProgramStart) {
		t.Fatalf("Program before start: %v", err)
	}
	if r, err := m.ProgramStart(ctx); err != nil || r.MaxBSPgm != 3 {
		t.Fatalf("ProgramStart %+v %v", r, err)
	}
	if err := m.SetMTA(ctx, 0xA000, 0); err != nil {
		t.Fatal(err)
	}
	if err := m.ProgramClear(ctx, xcp.ClearAbsolute, 0x100); err != nil {
		t.Fatal(err)
	}
	img := make([]byte, 100)
	for i := range img {
		img[i] = byte(200 - i)
	}
	if err := m.Program(ctx, img); err != nil || !bytes.Equal(s.mem[0xA000:0xA000+100], img) {
		t.Fatalf("Program: %v", err)
	}
	if err := m.ProgramEnd(ctx); err != nil {
		t.Fatal(err)
	}
	if r, err := m.GetPgmProcessorInfo(ctx); err != nil || r.MaxSector != 2 {
		t.Fatalf("GetPgmProcessorInfo %+v %v", r, err)
	}
	if r, err := m.GetSectorInfo(ctx, xcp.SectorInfoLength, 1); err != nil || r.Info != 0x200 {
		t.Fatalf("GetSectorInfo %+v %v", r, err)
	}
	if name, err := m.SectorName(ctx, 0); err != nil || name != "boot" {
		t.Fatalf("SectorName %q %v", name, err)
	}
	for _, err := range []error{m.ProgramPrepare(ctx, 16), m.ProgramFormat(ctx, xcp.ProgramFormat{}),
		m.ProgramVerify(ctx, xcp.VerifyValue, 1, 2)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := m.ProgramReset(ctx); err != nil {
		t.Fatal(err)
	}
	if m.Connected() {
		t.Fatal("still connected after PROGRAM_RESET")
	}
}

func TestCommandsNeedSession(t *testing.T) {
	m, stop := fakeSlave(t, func([]byte) [][]byte { return nil })
	defer stop()
	if _, err := m.Read(t.Context(), 0, 0, 4); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("Read before CONNECT: %v", err)
	}
	if _, err := m.GetStatus(t.Context()); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("GetStatus before CONNECT: %v", err)
	}
}

// TestLockedUploadUnlocksEverythingLocked: UPLOAD has no resource of its
// own, so ERR_ACCESS_LOCKED unlocks what GET_STATUS reports locked.
func TestLockedUploadUnlocksEverythingLocked(t *testing.T) {
	s := newMemSlave(variants[0].f)
	s.locked = xcp.ResCalPag | xcp.ResDaq
	cfg := testCfg
	cfg.Unlock = func(_ context.Context, _ xcp.Resource, seed []byte) ([]byte, error) { return demoKey(seed), nil }
	m, stop := connected(t, s, cfg)
	defer stop()
	got, err := m.Read(t.Context(), 0x40, 0, 3)
	if err != nil || !bytes.Equal(got, s.mem[0x40:0x43]) {
		t.Fatalf("Read: % X %v", got, err)
	}
	st, err := m.GetStatus(t.Context())
	if err != nil || st.Protection != 0 {
		t.Fatalf("still locked: %+v %v", st, err)
	}
}
