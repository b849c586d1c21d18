package master

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
)

var testCfg = Config{Timeouts: Timeouts{T1: 100 * time.Millisecond, T6: 50 * time.Millisecond, T7: time.Millisecond}}

// unlockCfg is testCfg with the simulator's seed & key algorithm.
func unlockCfg() Config {
	cfg := testCfg
	cfg.Unlock = func(_ context.Context, res xcp.Resource, seed []byte) ([]byte, error) {
		return sim.DemoKey(res, seed), nil
	}
	return cfg
}

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

// sim returns the simulator configuration of the variant (MAX_BS 4).
func (v variant) sim() sim.Config {
	return sim.Config{Order: v.f.Order, AG: v.f.AG, MaxCTO: v.f.MaxCTO, MaxDTO: v.f.MaxDTO, MaxBS: 4,
		NoSlaveBlockMode: !v.slaveBlock, NoMasterBlockMode: !v.masterBlock}
}

func newVariant(t testing.TB, v variant, answer answerFunc) *simRig {
	return newSimRig(t, v.sim(), testCfg, answer)
}

// errPacket is an ERR packet with code.
func errPacket(code xcp.ErrorCode) []byte { return []byte{xcp.PIDErr, byte(code)} }

func TestReadWriteVerify(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			r := newVariant(t, v, nil)
			m := r.m
			ctx := t.Context()
			ag := v.f.AG.Size()
			for _, n := range []int{ag, 4 * ag, 100 * ag, 1500 * ag} {
				addr := ram + uint32(0x100+n)
				got, err := m.Read(ctx, addr, 0, n)
				if err != nil {
					t.Fatalf("Read %d: %v", n, err)
				}
				if !bytes.Equal(got, r.mem(t, addr, n)) {
					t.Fatalf("Read %d bytes differs", n)
				}
				data := make([]byte, n)
				for i := range data {
					data[i] = byte(i*13 + n)
				}
				waddr := ram + uint32(0x4000+n)
				if err := m.Write(ctx, waddr, 0, data); err != nil {
					t.Fatalf("Write %d: %v", n, err)
				}
				if !bytes.Equal(r.mem(t, waddr, n), data) {
					t.Fatalf("Write %d bytes: slave memory differs", n)
				}
				if err := m.Verify(ctx, waddr, 0, data); err != nil {
					t.Fatalf("Verify %d: %v", n, err)
				}
			}
			// Block modes were used when offered.
			var sawNext, sawMultiUpload bool
			for _, req := range r.requests() {
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
	r := newVariant(t, variants[2], nil) // WORD
	m := r.m
	ctx := t.Context()
	base := ram + 0x100
	if err := r.slave.WriteMemory(base, 0, []byte{0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7}); err != nil {
		t.Fatal(err)
	}
	got, err := m.Read(ctx, base+1, 0, 3)
	if err != nil || !bytes.Equal(got, []byte{0xA1, 0xA2, 0xA3}) {
		t.Fatalf("Read 3 bytes at an odd address: % X %v", got, err)
	}
	if err := m.Write(ctx, base+1, 0, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if got, want := r.mem(t, base, 6), []byte{0xA0, 1, 2, 3, 0xA4, 0xA5}; !bytes.Equal(got, want) {
		t.Fatalf("after the read-modify-write: % X, want % X", got, want)
	}
	if err := m.Write(ctx, base+4, 0, []byte{9}); err != nil {
		t.Fatal(err)
	}
	if got := r.mem(t, base+4, 2); got[0] != 9 || got[1] != 0xA5 {
		t.Fatalf("1 byte: % X", got)
	}
	if _, err := m.Upload(ctx, 100); err == nil {
		t.Fatal("UPLOAD beyond one packet without slave block mode succeeded")
	}
}

// A slave without SHORT_UPLOAD and SHORT_DOWNLOAD (ERR_CMD_UNKNOWN): the
// master falls back to SET_MTA with UPLOAD/DOWNLOAD and does not try again.
func TestShortCommandsFallBack(t *testing.T) {
	r := newVariant(t, variants[0], func(req []byte) ([][]byte, bool) {
		switch xcp.Command(req[0]) {
		case xcp.CmdShortUpload, xcp.CmdShortDownload:
			return [][]byte{errPacket(xcp.ErrCmdUnknown)}, true
		}
		return nil, false
	})
	m := r.m
	ctx := t.Context()
	got, err := m.Read(ctx, ram+0x20, 0, 4)
	if err != nil || !bytes.Equal(got, r.mem(t, ram+0x20, 4)) {
		t.Fatalf("Read: % X %v", got, err)
	}
	if err := m.Write(ctx, ram+0x30, 0, []byte{9}); err != nil || r.mem(t, ram+0x30, 1)[0] != 9 {
		t.Fatalf("Write: %v", err)
	}
	// The second time SHORT_UPLOAD is not tried again.
	before := len(r.requests())
	if _, err := m.Read(ctx, ram+0x20, 0, 4); err != nil {
		t.Fatal(err)
	}
	if cmd := xcp.Command(r.requests()[before][0]); cmd != xcp.CmdSetMTA {
		t.Fatalf("sent %s after SHORT_UPLOAD was found unknown", cmd)
	}
}

func TestVerifySplitsAndDetectsMismatch(t *testing.T) {
	v := variants[3]
	cfg := v.sim()
	cfg.MaxChecksumBlock = 100 // elements
	r := newSimRig(t, cfg, testCfg, nil)
	m := r.m
	ctx := t.Context()
	data := r.mem(t, ram+0x1000, 1000)
	if err := m.Verify(ctx, ram+0x1000, 0, data); err != nil {
		t.Fatal(err)
	}
	var checks int
	for _, req := range r.requests() {
		if xcp.Command(req[0]) == xcp.CmdBuildChecksum {
			checks++
		}
	}
	if checks != 1+5 { // one refused, then 500 elements in 5 blocks
		t.Fatalf("%d BUILD_CHECKSUM commands", checks)
	}
	data[777] ^= 1
	err := m.Verify(ctx, ram+0x1000, 0, data)
	var me *MismatchError
	if !errors.As(err, &me) || !errors.Is(err, ErrMismatch) || me.Addr != ram+0x1000+600 || me.Len != 200 {
		t.Fatalf("err = %v", err)
	}
}

func TestUploadTimeoutRestoresMTA(t *testing.T) {
	drop := 1
	r := newSimRig(t, variants[0].sim(), Config{Timeouts: Timeouts{T1: 30 * time.Millisecond, T7: time.Millisecond}},
		func(req []byte) ([][]byte, bool) {
			if xcp.Command(req[0]) == xcp.CmdUpload && drop > 0 {
				drop--
				return nil, true // lost: no answer
			}
			return nil, false
		})
	ctx := t.Context()
	got, err := r.m.Read(ctx, ram+0x200, 0, 20)
	if err != nil || !bytes.Equal(got, r.mem(t, ram+0x200, 20)) {
		t.Fatalf("Read after a lost response: %v", err)
	}
	var seq []string
	log := r.requests()
	for _, req := range log {
		seq = append(seq, xcp.Command(req[0]).String())
	}
	want := "[CONNECT SET_MTA UPLOAD SYNCH SET_MTA UPLOAD UPLOAD UPLOAD]" // GET_COMM_MODE_INFO may follow CONNECT
	if got := fmt.Sprint(seq); got != want && got != "[CONNECT GET_COMM_MODE_INFO SET_MTA UPLOAD SYNCH SET_MTA UPLOAD UPLOAD UPLOAD]" {
		t.Fatalf("sequence %s, want %s", got, want)
	}
	// The restored SET_MTA carries the address of the failed chunk.
	for i, req := range log {
		if xcp.Command(req[0]) == xcp.CmdSynch {
			var c xcp.SetMTA
			if err := c.Decode(log[i+1], r.f); err != nil || c.Addr != ram+0x200 {
				t.Fatalf("restored MTA %#x %v", c.Addr, err)
			}
		}
	}
}

func TestSessionCommands(t *testing.T) {
	cfg := variants[2].sim()
	cfg.Protect = xcp.ResCalPag | xcp.ResPgm
	cfg.Name = "rig"
	// TRANSPORT_LAYER_CMD and USER_CMD are echoed, TIME_CORRELATION_PROPERTIES
	// answered: the simulator implements no such commands on this transport.
	r := newSimRig(t, cfg, unlockCfg(), func(req []byte) ([][]byte, bool) {
		switch xcp.Command(req[0]) {
		case xcp.CmdTransportLayerCmd, xcp.CmdUserCmd:
			return [][]byte{append([]byte{xcp.PIDRes}, req[1:]...)}, true
		case xcp.CmdTimeCorrelationProps:
			return [][]byte{xcp.TimeCorrelationPropertiesResponse{SlaveConfig: 1, ClusterID: 7}.Append(nil, xcp.Format{Order: xcp.Motorola})}, true
		}
		return nil, false
	})
	m := r.m
	ctx := t.Context()

	st, err := m.GetStatus(ctx)
	if err != nil || st.Protection != xcp.ResCalPag|xcp.ResPgm || st.SessionConfigID != 0 {
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
	if id, err := m.GetID(ctx, xcp.IDASCII); err != nil || string(id) != "rig" {
		t.Fatalf("GetID %q %v", id, err)
	}
	a2l, err := m.FetchA2L(ctx)
	if err != nil || string(a2l) != r.slave.A2L() {
		t.Fatalf("FetchA2L: %d bytes, %v", len(a2l), err)
	}
	if _, err := m.GetID(ctx, xcp.IDURL); !errors.Is(err, ErrNoID) {
		t.Fatalf("GetID URL: %v", err)
	}
	if v, err := m.GetVersion(ctx); err != nil || v.ProtocolMinor != 5 {
		t.Fatalf("GetVersion %+v %v", v, err)
	}
	if err := m.SetRequest(ctx, xcp.RequestStoreCal, 0x1234); err != nil {
		t.Fatal(err)
	}
	if st, err := m.GetStatus(ctx); err != nil || st.SessionConfigID != 0x1234 {
		t.Fatalf("GetStatus after SET_REQUEST %+v %v", st, err)
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
	r := newVariant(t, variants[3], nil) // Motorola WORD, blocks
	m := r.m
	ctx := t.Context()
	if err := m.SetMTA(ctx, ram+0x500, 0); err != nil {
		t.Fatal(err)
	}
	got, err := m.Upload(ctx, 20)
	if err != nil || !bytes.Equal(got, r.mem(t, ram+0x500, 40)) {
		t.Fatalf("Upload: %v", err)
	}
	if got, err = m.ShortUpload(ctx, ram+0x600, 0, 3); err != nil || !bytes.Equal(got, r.mem(t, ram+0x600, 6)) {
		t.Fatalf("ShortUpload: %v", err)
	}
	if err := m.SetMTA(ctx, ram+0x700, 0); err != nil {
		t.Fatal(err)
	}
	max := make([]byte, 14)
	for i := range max {
		max[i] = 0xA0 + byte(i)
	}
	if err := m.DownloadMax(ctx, max); err != nil || !bytes.Equal(r.mem(t, ram+0x700, 14), max) {
		t.Fatalf("DownloadMax: %v", err)
	}
	if err := m.DownloadMax(ctx, max[:4]); err == nil {
		t.Fatal("short DOWNLOAD_MAX accepted")
	}
	// Download with master block mode, then a hand-driven block.
	if err := m.SetMTA(ctx, ram+0x800, 0); err != nil {
		t.Fatal(err)
	}
	blk := bytes.Repeat([]byte{0x5A}, 40)
	if err := m.Download(ctx, blk); err != nil || !bytes.Equal(r.mem(t, ram+0x800, 40), blk) {
		t.Fatalf("Download: %v", err)
	}
	if err := m.ShortDownload(ctx, ram+0x900, 0, []byte{1, 2, 3, 4}); err != nil || !bytes.Equal(r.mem(t, ram+0x900, 4), []byte{1, 2, 3, 4}) {
		t.Fatalf("ShortDownload: %v", err)
	}
	// MODIFY_BITS on the dword at 0x900 (Motorola 0x01020304).
	if err := m.SetMTA(ctx, ram+0x900, 0); err != nil {
		t.Fatal(err)
	}
	if err := m.ModifyBits(ctx, 8, 0xFF00, 0x0001); err != nil {
		t.Fatal(err)
	}
	want := xcp.ModifyBits{Shift: 8, AndMask: 0xFF00, XorMask: 1}.Apply(0x01020304)
	if got := xcp.Motorola.Uint32(r.mem(t, ram+0x900, 4)); got != want {
		t.Fatalf("MODIFY_BITS: %08X, want %08X", got, want)
	}
	res, err := m.Checksum(ctx, ram+0x800, 0, 40)
	if err != nil || res.Type != xcp.ChecksumCRC16CITT {
		t.Fatalf("Checksum %+v %v", res, err)
	}
}

func TestPagAndPgmCommands(t *testing.T) {
	// The simulator's calibration segment has no address mappings; one is
	// answered here so that SegmentInfo reads it.
	r := newVariant(t, variants[1], func(req []byte) ([][]byte, bool) {
		var c xcp.GetSegmentInfo
		if xcp.Command(req[0]) != xcp.CmdGetSegmentInfo || c.Decode(req, xcp.Format{}) != nil {
			return nil, false
		}
		switch c.Mode {
		case xcp.SegmentInfoStandard:
			return [][]byte{xcp.GetSegmentInfoStandardResponse{MaxPages: 2, MaxMapping: 1}.Append(nil, xcp.Format{})}, true
		case xcp.SegmentInfoMapping:
			return [][]byte{xcp.GetSegmentInfoValueResponse{Value: 0x10*uint32(c.Info) + 1}.Append(nil, xcp.Format{})}, true
		}
		return nil, false
	})
	m := r.m
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
	if err := m.SetCalPage(ctx, xcp.CalPageXCP, 0, sim.PageWorking); err != nil {
		t.Fatal(err)
	}
	if res, err := m.GetPagProcessorInfo(ctx); err != nil || res.MaxSegments != 1 {
		t.Fatalf("GetPagProcessorInfo %+v %v", res, err)
	}
	seg, err := m.SegmentInfo(ctx, 0)
	if err != nil || seg.Address != sim.CalBase || seg.Length != sim.CalSize || seg.Info.MaxPages != 2 ||
		len(seg.Mappings) != 1 || seg.Mappings[0] != (Mapping{1, 0x11, 0x21}) {
		t.Fatalf("SegmentInfo %+v %v", seg, err)
	}
	wantProps := xcp.PageECUAccessWithXCP | xcp.PageECUAccessWithoutXCP | xcp.PageXCPReadWithECU |
		xcp.PageXCPReadWithoutECU | xcp.PageXCPWriteWithECU | xcp.PageXCPWriteWithoutECU
	if p, err := m.GetPageInfo(ctx, 0, sim.PageWorking); err != nil || p.Properties != wantProps {
		t.Fatalf("GetPageInfo %+v %v", p, err)
	}
	if err := m.SetSegmentMode(ctx, xcp.SegmentFreeze, 0); err != nil {
		t.Fatal(err)
	}
	if md, err := m.GetSegmentMode(ctx, 0); err != nil || md != 1 {
		t.Fatalf("GetSegmentMode %d %v", md, err)
	}
	if err := m.CopyCalPage(ctx, 0, sim.PageReference, 0, sim.PageWorking); err != nil {
		t.Fatal(err)
	}
	// PGM
	if err := m.Program(ctx, []byte{1}); !errors.Is(err, ErrNoProgramStart) {
		t.Fatalf("Program before start: %v", err)
	}
	if res, err := m.ProgramStart(ctx); err != nil || res.MaxBSPgm != 4 {
		t.Fatalf("ProgramStart %+v %v", res, err)
	}
	if err := m.SetMTA(ctx, sim.FlashBase, 0); err != nil {
		t.Fatal(err)
	}
	if err := m.ProgramClear(ctx, xcp.ClearAbsolute, sim.SectorSize); err != nil {
		t.Fatal(err)
	}
	img := make([]byte, 100)
	for i := range img {
		img[i] = byte(200 - i)
	}
	if err := m.Program(ctx, img); err != nil || !bytes.Equal(r.mem(t, sim.FlashBase, 100), img) {
		t.Fatalf("Program: %v", err)
	}
	if err := m.ProgramEnd(ctx); err != nil {
		t.Fatal(err)
	}
	if res, err := m.GetPgmProcessorInfo(ctx); err != nil || res.MaxSector != sim.FlashSectors {
		t.Fatalf("GetPgmProcessorInfo %+v %v", res, err)
	}
	if res, err := m.GetSectorInfo(ctx, xcp.SectorInfoLength, 1); err != nil || res.Info != sim.SectorSize {
		t.Fatalf("GetSectorInfo %+v %v", res, err)
	}
	if name, err := m.SectorName(ctx, 0); err != nil || name != sim.SectorName(0) {
		t.Fatalf("SectorName %q %v", name, err)
	}
	// Downloading a flash kernel is not simulated.
	if err := m.ProgramPrepare(ctx, 16); !errors.Is(err, xcp.ErrCmdUnknown) {
		t.Fatalf("ProgramPrepare: %v", err)
	}
	if err := m.ProgramFormat(ctx, xcp.ProgramFormat{}); err != nil {
		t.Fatal(err)
	}
	flash := r.mem(t, sim.FlashBase, sim.FlashSectors*sim.SectorSize)
	if err := m.ProgramVerify(ctx, xcp.VerifyValue, 0x0002, crc32.ChecksumIEEE(flash)); err != nil {
		t.Fatal(err)
	}
	if err := m.ProgramVerify(ctx, xcp.VerifyValue, 0x0002, crc32.ChecksumIEEE(flash)^1); !errors.Is(err, xcp.ErrVerify) {
		t.Fatalf("ProgramVerify of a wrong value: %v", err)
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
// own, so ERR_ACCESS_LOCKED unlocks what GET_STATUS reports locked. (The
// simulator does not protect UPLOAD; the first one is refused here.)
func TestLockedUploadUnlocksEverythingLocked(t *testing.T) {
	cfg := variants[0].sim()
	cfg.Protect = xcp.ResCalPag | xcp.ResDaq
	refused := false
	r := newSimRig(t, cfg, unlockCfg(), func(req []byte) ([][]byte, bool) {
		if xcp.Command(req[0]) == xcp.CmdShortUpload || xcp.Command(req[0]) == xcp.CmdUpload {
			if !refused {
				refused = true
				return [][]byte{errPacket(xcp.ErrAccessLocked)}, true
			}
		}
		return nil, false
	})
	got, err := r.m.Read(t.Context(), ram+0x40, 0, 3)
	if err != nil || !bytes.Equal(got, r.mem(t, ram+0x40, 3)) {
		t.Fatalf("Read: % X %v", got, err)
	}
	st, err := r.m.GetStatus(t.Context())
	if err != nil || st.Protection != 0 || !refused {
		t.Fatalf("still locked: %+v %v (refused %v)", st, err, refused)
	}
}
