package master_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/internal/fuzzmin"

	"github.com/goxcp/goxcp/internal/simtest"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/seedkey"
	"github.com/goxcp/goxcp/sim"
)

// TestMain checks for leaked goroutines and bounds the fuzzer's
// minimisation of each new input to a second (fuzzmin): every input of
// FuzzResponses is a whole session with a scripted slave.
func TestMain(m *testing.M) {
	fuzzmin.MustBound()
	goleak.VerifyTestMain(m)
}

var e2eTimeouts = master.Timeouts{T1: 500 * time.Millisecond, T6: 200 * time.Millisecond, T7: 5 * time.Millisecond}

// startSim serves a simulator with cfg on 127.0.0.1 port 0 over network
// ("tcp" or "udp") and returns it with a connected master.
func startSim(t testing.TB, network string, cfg sim.Config) (*sim.Slave, *master.Master) {
	t.Helper()
	return startSimWith(t, network, cfg, master.Config{Timeouts: e2eTimeouts, Unlock: seedkey.Func(sim.DemoKey)})
}

// startSimWith is startSim with a master configuration.
func startSimWith(t testing.TB, network string, cfg sim.Config, mcfg master.Config) (*sim.Slave, *master.Master) {
	t.Helper()
	return simtest.Start(t, network, cfg, mcfg)
}

type e2eCase struct {
	name string
	cfg  sim.Config
}

var e2eCases = []e2eCase{
	{"intel-byte-cto255-blocks", sim.Config{}},
	{"intel-byte-cto8-noblocks", sim.Config{MaxCTO: 8, NoSlaveBlockMode: true, NoMasterBlockMode: true}},
	{"moto-word-cto16-blocks", sim.Config{Order: xcp.Motorola, AG: xcp.Word, MaxCTO: 16, MaxBS: 4, MinST: 1}},
	{"moto-word-cto64-noblocks", sim.Config{Order: xcp.Motorola, AG: xcp.Word, MaxCTO: 64, NoSlaveBlockMode: true, NoMasterBlockMode: true}},
	{"intel-dword-cto32-blocks", sim.Config{AG: xcp.DWord, MaxCTO: 32, Checksum: xcp.ChecksumAdd44}},
	{"moto-byte-cto8-blocks-add24", sim.Config{Order: xcp.Motorola, MaxCTO: 8, Checksum: xcp.ChecksumAdd24, MaxChecksumBlock: 64}},
	{"intel-byte-cto8-add44-oddlimit", sim.Config{MaxCTO: 8, Checksum: xcp.ChecksumAdd44, MaxChecksumBlock: 63}},
}

// TestSimReadWriteVerify writes, reads back and verifies RAM over TCP and
// UDP in both byte orders, every granularity and both block modes.
func TestSimReadWriteVerify(t *testing.T) {
	for _, network := range []string{"tcp", "udp"} {
		for _, tc := range e2eCases {
			t.Run(network+"/"+tc.name, func(t *testing.T) {
				s, m := startSim(t, network, tc.cfg)
				ctx := t.Context()
				f := m.Format()
				n := 3000 / f.AG.Size() * f.AG.Size()
				data := make([]byte, n)
				for i := range data {
					data[i] = byte(i*31 + 7)
				}
				addr := sim.RAMBase + 0x100
				if err := m.Write(ctx, addr, 0, data); err != nil {
					t.Fatal(err)
				}
				got, err := m.Read(ctx, addr, 0, n)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, data) {
					t.Fatal("read back differs from what was written")
				}
				if err := m.Verify(ctx, addr, 0, data); err != nil {
					t.Fatal(err)
				}
				data[n/2] ^= 0xFF
				if err := m.Verify(ctx, addr, 0, data); !errors.Is(err, master.ErrMismatch) {
					t.Fatalf("Verify of changed data: %v", err)
				}
				epk, err := m.Read(ctx, sim.ROMBase, 0, 16)
				if err != nil || string(epk) != sim.EPK[:16] {
					t.Fatalf("ROM: %q %v", epk, err)
				}
				// The master used the block modes the slave offered.
				var next, multi bool
				for _, c := range s.History() {
					next = next || c == xcp.CmdDownloadNext
				}
				multi = m.ConnectInfo().SlaveBlockMode()
				// With MAX_CTO 255 one packet holds (almost) 255 elements,
				// so master block mode has nothing to gain.
				wantNext := !tc.cfg.NoMasterBlockMode && 255/f.MaxDownloadElements() >= 2
				if next != wantNext || multi == tc.cfg.NoSlaveBlockMode {
					t.Fatalf("block modes: DOWNLOAD_NEXT %v (want %v), slave block %v (off %v)", next, wantNext, multi, tc.cfg.NoSlaveBlockMode)
				}
			})
		}
	}
}

func TestSimSeedAndKey(t *testing.T) {
	s, m := startSim(t, "tcp", sim.Config{Protect: xcp.ResCalPag | xcp.ResPgm | xcp.ResDaq, SeedLen: 40, MaxCTO: 8})
	ctx := t.Context()
	st, err := m.GetStatus(ctx)
	if err != nil || st.Protection != xcp.ResCalPag|xcp.ResPgm|xcp.ResDaq {
		t.Fatalf("GetStatus %+v %v", st, err)
	}
	// A write to a protected calibration page unlocks on demand (the error
	// matrix's unlock pre-action with a 40-byte seed in several parts).
	if err := m.Write(ctx, sim.CalBase, 0, []byte{1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	left, err := m.UnlockIfLocked(ctx, xcp.ResPgm)
	if err != nil || left != xcp.ResDaq {
		t.Fatalf("UnlockIfLocked: %s %v", left, err)
	}
	var unlocks int
	for _, c := range s.History() {
		if c == xcp.CmdUnlock {
			unlocks++
		}
	}
	if unlocks < 2 {
		t.Fatalf("%d UNLOCK commands", unlocks)
	}
}

func TestSimSessionAndPages(t *testing.T) {
	s, m := startSim(t, "tcp", sim.Config{Order: xcp.Motorola, AG: xcp.Word, MaxCTO: 16})
	ctx := t.Context()
	a2l, err := m.FetchA2L(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(a2l) != s.A2L() {
		t.Fatalf("A2L: %d bytes, simulator has %d", len(a2l), len(s.A2L()))
	}
	name, err := m.GetID(ctx, xcp.IDASCII)
	if err != nil || string(name) != "goxcp-sim" {
		t.Fatalf("GetID ASCII %q %v", name, err)
	}
	if _, err := m.GetCommModeInfo(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := m.GetVersion(ctx); err != nil || v.ProtocolMajor != 1 {
		t.Fatalf("GetVersion %+v %v", v, err)
	}
	if err := m.Synch(ctx); err != nil {
		t.Fatal(err)
	}
	info, err := m.GetPagProcessorInfo(ctx)
	if err != nil || info.MaxSegments < 1 {
		t.Fatalf("GetPagProcessorInfo %+v %v", info, err)
	}
	seg, err := m.SegmentInfo(ctx, 0)
	if err != nil || seg.Address != sim.CalBase || seg.Info.MaxPages != 2 {
		t.Fatalf("SegmentInfo %+v %v", seg, err)
	}
	if err := m.Write(ctx, sim.CalBase, 0, []byte{0xAB, 0xCD}); err != nil {
		t.Fatal(err)
	}
	// Switch XCP to the reference page, read it, copy working → reference
	// is not allowed for a read-only page, so copy reference → working.
	if err := m.SetCalPage(ctx, xcp.CalPageXCP, 0, sim.PageReference); err != nil {
		t.Fatal(err)
	}
	if p, err := m.GetCalPage(ctx, xcp.CalPageXCP, 0); err != nil || p != sim.PageReference {
		t.Fatalf("GetCalPage %d %v", p, err)
	}
	ref, err := m.Read(ctx, sim.CalBase, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.CopyCalPage(ctx, 0, sim.PageReference, 0, sim.PageWorking); err != nil {
		t.Fatal(err)
	}
	if err := m.SetCalPage(ctx, xcp.CalPageXCP|xcp.CalPageECU, 0, sim.PageWorking); err != nil {
		t.Fatal(err)
	}
	work, err := m.Read(ctx, sim.CalBase, 0, 2)
	if err != nil || !bytes.Equal(work, ref) {
		t.Fatalf("working page after COPY_CAL_PAGE % X, reference % X, %v", work, ref, err)
	}
}

// TestSimErrorMatrix drives pre-actions of the error matrix through the
// simulator's fault switches.
func TestSimErrorMatrix(t *testing.T) {
	s, m := startSim(t, "tcp", sim.Config{MaxCTO: 8})
	ctx := t.Context()
	want := make([]byte, 200)
	for i := range want {
		want[i] = byte(i)
	}
	if err := m.Write(ctx, sim.RAMBase+0x400, 0, want); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		arm   func()
		check func(h []xcp.Command) error
	}{
		{"lost response: SYNCH, SET_MTA, repeat", func() { s.DropResponses(1) }, func(h []xcp.Command) error {
			return contains(h, xcp.CmdSynch, xcp.CmdSetMTA, xcp.CmdUpload)
		}},
		{"busy: wait t7, repeat", func() { s.Busy(2) }, nil},
		{"delayed beyond t1", func() { s.DelayResponses(1, 700*time.Millisecond) }, func(h []xcp.Command) error {
			return contains(h, xcp.CmdSynch)
		}},
		{"pending event extends the timeout", func() { s.SlowCommands(1, 800*time.Millisecond, 200*time.Millisecond) }, func(h []xcp.Command) error {
			for _, c := range h {
				if c == xcp.CmdSynch {
					return errors.New("SYNCH sent although EV_CMD_PENDING arrived")
				}
			}
			return nil
		}},
		{"temporarily not accessible: repeat", func() {
			s.InjectError(xcp.CmdUpload, xcp.ErrResourceTemporaryNotAccessible, 1)
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.ResetHistory()
			tc.arm()
			got, err := m.Read(ctx, sim.RAMBase+0x400, 0, len(want))
			s.ClearFaults()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatal("data differs")
			}
			if tc.check != nil {
				if err := tc.check(s.History()); err != nil {
					t.Fatalf("%v in %v", err, s.History())
				}
			}
		})
	}
	// A lost response to a master block (DOWNLOAD + DOWNLOAD_NEXT): SYNCH,
	// SET_MTA, and the whole block again.
	data := make([]byte, 40)
	for i := range data {
		data[i] = byte(100 - i)
	}
	if err := m.SetMTA(ctx, sim.RAMBase+0x800, 0); err != nil {
		t.Fatal(err)
	}
	s.ResetHistory()
	s.DropResponses(1)
	if err := m.Download(ctx, data); err != nil {
		t.Fatal(err)
	}
	if err := contains(s.History(), xcp.CmdDownload, xcp.CmdDownloadNext, xcp.CmdSynch, xcp.CmdSetMTA, xcp.CmdDownload, xcp.CmdDownloadNext); err != nil {
		t.Fatalf("%v in %v", err, s.History())
	}
	if got, err := m.Read(ctx, sim.RAMBase+0x800, 0, len(data)); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after the repeated block: %v", err)
	}
	// Errors the matrix only reports come back typed.
	s.InjectError(xcp.CmdSetMTA, xcp.ErrAccessDenied, 1)
	_, err := m.Read(ctx, sim.RAMBase+0x400, 0, len(want))
	if !errors.Is(err, xcp.ErrAccessDenied) {
		t.Fatalf("err = %v", err)
	}
	// A truncated response does not fit GET_STATUS: the master takes it
	// for an answer out of step, resynchronises and repeats the command.
	s.ResetHistory()
	s.CorruptResponses(1, nil)
	if _, err = m.GetStatus(ctx); err != nil {
		t.Fatalf("truncated GET_STATUS response once: %v", err)
	}
	if err := contains(s.History(), xcp.CmdGetStatus, xcp.CmdSynch, xcp.CmdGetStatus); err != nil {
		t.Fatalf("%v in %v", err, s.History())
	}
	// Always truncated: a typed error naming the lengths, not a panic.
	s.CorruptResponses(100, nil)
	_, err = m.GetStatus(ctx)
	var re *master.ResponseError
	if !errors.Is(err, master.ErrUnexpectedResponse) || !errors.As(err, &re) || re.Got != 1 || re.Want != 6 {
		t.Fatalf("truncated GET_STATUS responses: %v", err)
	}
	s.ClearFaults()
	// A slave that stops answering ends in a bounded timeout.
	s.DropResponses(1000)
	start := time.Now()
	_, err = m.GetStatus(ctx)
	s.ClearFaults()
	if !errors.Is(err, xcp.ErrTimeout) || time.Since(start) > 10*time.Second {
		t.Fatalf("silent slave: %v after %v", err, time.Since(start))
	}
}

// contains reports whether want occurs in h as a subsequence.
func contains(h []xcp.Command, want ...xcp.Command) error {
	i := 0
	for _, c := range h {
		if i < len(want) && c == want[i] {
			i++
		}
	}
	if i < len(want) {
		return fmt.Errorf("sequence %v not found", want)
	}
	return nil
}

func TestSimProgramming(t *testing.T) {
	s, m := startSim(t, "tcp", sim.Config{MaxCTO: 16, Protect: xcp.ResPgm})
	_ = s
	ctx := t.Context()
	if _, err := m.ProgramStart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.SetMTA(ctx, sim.FlashBase, 0); err != nil {
		t.Fatal(err)
	}
	if err := m.ProgramClear(ctx, xcp.ClearAbsolute, sim.SectorSize); err != nil {
		t.Fatal(err)
	}
	img := make([]byte, 300)
	for i := range img {
		img[i] = byte(i ^ 0x55)
	}
	if err := m.SetMTA(ctx, sim.FlashBase, 0); err != nil {
		t.Fatal(err)
	}
	if err := m.Program(ctx, img); err != nil {
		t.Fatal(err)
	}
	if err := m.ProgramEnd(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.Verify(ctx, sim.FlashBase, 0, img); err != nil {
		t.Fatal(err)
	}
	if info, err := m.GetPgmProcessorInfo(ctx); err != nil || info.MaxSector != sim.FlashSectors {
		t.Fatalf("GetPgmProcessorInfo %+v %v", info, err)
	}
	if r, err := m.GetSectorInfo(ctx, xcp.SectorInfoStart, 1); err != nil || r.Info != sim.FlashBase+sim.SectorSize {
		t.Fatalf("GetSectorInfo %+v %v", r, err)
	}
	if name, err := m.SectorName(ctx, 0); err != nil || name == "" {
		t.Fatalf("SectorName %q %v", name, err)
	}
	if err := m.ProgramReset(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSimWrongKey(t *testing.T) {
	wrong := func(_ context.Context, _ xcp.Resource, seed []byte) ([]byte, error) { return []byte{1, 2, 3}, nil }
	s, m := startSimWith(t, "tcp", sim.Config{Protect: xcp.ResCalPag}, master.Config{Timeouts: e2eTimeouts, Unlock: wrong})
	err := m.Write(t.Context(), sim.CalBase, 0, []byte{1})
	if !errors.Is(err, xcp.ErrAccessLocked) || !errors.Is(err, master.ErrKeyRejected) || !strings.Contains(err.Error(), "rejected the key") {
		t.Fatalf("write with a wrong key: %v, want it to say the slave rejected the key", err)
	}
	var unlocks int
	for _, c := range s.History() {
		if c == xcp.CmdUnlock {
			unlocks++
		}
	}
	if unlocks != 1 {
		t.Fatalf("%d UNLOCK attempts with a wrong key, want 1 (the matrix says restart session)", unlocks)
	}
}

func TestSimGetIDInline(t *testing.T) {
	_, m := startSim(t, "udp", sim.Config{IDInResponse: true, Name: "inline-ecu"})
	ctx := t.Context()
	r, err := m.GetIDInfo(ctx, xcp.IDASCII)
	if err != nil || !r.Inline() || string(r.Data) != "inline-ecu" {
		t.Fatalf("GetIDInfo %+v %v", r, err)
	}
	name, err := m.GetID(ctx, xcp.IDASCII)
	if err != nil || string(name) != "inline-ecu" {
		t.Fatalf("GetID %q %v", name, err)
	}
}
