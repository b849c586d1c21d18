package sim

import (
	"bytes"
	"context"
	"errors"
	"hash/crc32"
	"math"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/checksum"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport/eth"
)

func TestBuildChecksumAllTypes(t *testing.T) {
	types := []xcp.ChecksumType{xcp.ChecksumAdd11, xcp.ChecksumAdd12, xcp.ChecksumAdd14, xcp.ChecksumAdd22,
		xcp.ChecksumAdd24, xcp.ChecksumAdd44, xcp.ChecksumCRC16, xcp.ChecksumCRC16CITT, xcp.ChecksumCRC32}
	for _, typ := range types {
		for _, order := range []xcp.ByteOrder{xcp.Intel, xcp.Motorola} {
			t.Run(typ.String()+"/"+order.String(), func(t *testing.T) {
				s, c := start(t, Config{Checksum: typ, Order: order, MaxChecksumBlock: 0x800})
				c.setMTA(CalBase, 0)
				p := c.ok(xcp.BuildChecksum{BlockSize: 0x800}.Append(nil, c.f))
				var r xcp.BuildChecksumResponse
				if err := r.Decode(p, c.f); err != nil {
					t.Fatal(err)
				}
				mem, _ := s.ReadMemory(CalBase, 0, 0x800)
				want, err := checksum.Checksum(typ, order, mem)
				if err != nil {
					t.Fatal(err)
				}
				if r.Type != typ || r.Checksum != want {
					t.Fatalf("got %s 0x%X, want 0x%X", r.Type, r.Checksum, want)
				}
				// The MTA moved past the block: the next block is the rest.
				p = c.ok(xcp.BuildChecksum{BlockSize: 0x800}.Append(nil, c.f))
				_ = r.Decode(p, c.f)
				mem, _ = s.ReadMemory(CalBase+0x800, 0, 0x800)
				if want, _ := checksum.Checksum(typ, order, mem); r.Checksum != want {
					t.Fatalf("second block 0x%X, want 0x%X", r.Checksum, want)
				}
				// Too large: ERR_OUT_OF_RANGE carrying the limit.
				p = c.fail(xcp.BuildChecksum{BlockSize: 0x801}.Append(nil, c.f), xcp.ErrOutOfRange)
				e, _ := xcp.DecodeError(xcp.CmdBuildChecksum, p)
				if lim, ok := xcp.ChecksumBlockLimit(e, c.f); !ok || lim != 0x800 {
					t.Fatalf("limit %d %v (% X)", lim, ok, p)
				}
				if checksum.ElementSize(typ) > 1 {
					c.setMTA(CalBase, 0)
					c.fail(xcp.BuildChecksum{BlockSize: 3}.Append(nil, c.f), xcp.ErrOutOfRange)
				}
			})
		}
	}
	if _, err := New(Config{Checksum: xcp.ChecksumUser}); !errors.Is(err, ErrConfig) {
		t.Fatalf("user checksum: %v", err)
	}
}

func TestCalPages(t *testing.T) {
	s, c := start(t, Config{})
	f := c.f
	amp := func(page []byte) float32 { return math.Float32frombits(f.Order.Uint32(page)) }
	var info xcp.GetPagProcessorInfoResponse
	if err := info.Decode(c.ok(xcp.GetPagProcessorInfo{}.Append(nil, f)), f); err != nil || info.MaxSegments != 1 || info.Properties != xcp.PagFreezeSupported {
		t.Fatalf("PAG info %+v %v", info, err)
	}
	var seg xcp.GetSegmentInfoValueResponse
	_ = seg.Decode(c.ok(xcp.GetSegmentInfo{Mode: xcp.SegmentInfoBasic, Info: 0}.Append(nil, f)), f)
	if seg.Value != CalBase {
		t.Fatalf("segment address 0x%X", seg.Value)
	}
	_ = seg.Decode(c.ok(xcp.GetSegmentInfo{Mode: xcp.SegmentInfoBasic, Info: 1}.Append(nil, f)), f)
	if seg.Value != CalSize {
		t.Fatalf("segment length 0x%X", seg.Value)
	}
	var std xcp.GetSegmentInfoStandardResponse
	if err := std.Decode(c.ok(xcp.GetSegmentInfo{Mode: xcp.SegmentInfoStandard}.Append(nil, f)), f); err != nil || std.MaxPages != 2 {
		t.Fatalf("standard info %+v", std)
	}
	var pi xcp.GetPageInfoResponse
	_ = pi.Decode(c.ok(xcp.GetPageInfo{Page: PageReference}.Append(nil, f)), f)
	if pi.Properties&(xcp.PageXCPWriteWithECU|xcp.PageXCPWriteWithoutECU) != 0 {
		t.Fatalf("reference page writable: %02X", pi.Properties)
	}

	// Error cases.
	c.fail(xcp.GetSegmentInfo{Segment: 1}.Append(nil, f), xcp.ErrSegmentNotValid)
	c.fail(xcp.GetPageInfo{Page: 2}.Append(nil, f), xcp.ErrPageNotValid)
	c.fail(xcp.SetCalPage{Mode: xcp.CalPageXCP, Page: 2}.Append(nil, f), xcp.ErrPageNotValid)
	c.fail(xcp.SetCalPage{Mode: xcp.CalPageXCP, Segment: 3}.Append(nil, f), xcp.ErrSegmentNotValid)
	c.fail(xcp.SetCalPage{Mode: 0x40}.Append(nil, f), xcp.ErrModeNotValid)
	c.fail(xcp.GetCalPage{Mode: 3}.Append(nil, f), xcp.ErrModeNotValid)
	c.fail(xcp.CopyCalPage{SrcPage: 0, DstPage: PageReference}.Append(nil, f), xcp.ErrWriteProtected)
	c.fail(xcp.SetSegmentMode{Mode: 0x80}.Append(nil, f), xcp.ErrModeNotValid)

	// Change the amplitude on the working page: the ECU (on the working
	// page) sees it, the reference page keeps 100.
	var buf [4]byte
	f.Order.PutUint32(buf[:], math.Float32bits(5))
	c.write(CalBase, buf[:])
	if a := amp(c.read(CalBase, 4)); a != 5 {
		t.Fatalf("working amplitude %v", a)
	}
	c.ok(xcp.SetCalPage{Mode: xcp.CalPageXCP, Page: PageReference}.Append(nil, f))
	var gp xcp.GetCalPageResponse
	_ = gp.Decode(c.ok(xcp.GetCalPage{Mode: xcp.CalPageXCP}.Append(nil, f)), f)
	if gp.Page != PageReference {
		t.Fatalf("XCP page %d", gp.Page)
	}
	if a := amp(c.read(CalBase, 4)); a != 100 {
		t.Fatalf("reference amplitude %v", a)
	}
	c.fail(xcp.ShortDownload{Addr: CalBase, Data: buf[:]}.Append(nil, f), xcp.ErrWriteProtected)
	// The variables follow the ECU page: sine at a quarter period = amplitude.
	s.updateVars(250 * time.Millisecond)
	sine := func() float32 {
		b, _ := s.ReadMemory(RAMBase+0x08, 0, 4)
		return math.Float32frombits(f.Order.Uint32(b))
	}
	if v := sine(); math.Abs(float64(v)) > 5.01 {
		t.Fatalf("sine %v with amplitude 5", v)
	}
	c.ok(xcp.SetCalPage{Mode: xcp.CalPageECU | xcp.CalPageAll, Page: PageReference}.Append(nil, f))
	_ = gp.Decode(c.ok(xcp.GetCalPage{Mode: xcp.CalPageECU}.Append(nil, f)), f)
	if gp.Page != PageReference {
		t.Fatalf("ECU page %d", gp.Page)
	}
	// COPY_CAL_PAGE reference -> working restores 100.
	c.ok(xcp.CopyCalPage{SrcPage: PageReference, DstPage: PageWorking}.Append(nil, f))
	c.ok(xcp.SetCalPage{Mode: xcp.CalPageXCP | xcp.CalPageECU, Page: PageWorking}.Append(nil, f))
	if a := amp(c.read(CalBase, 4)); a != 100 {
		t.Fatalf("after copy %v", a)
	}
	// Segment mode.
	c.ok(xcp.SetSegmentMode{Mode: xcp.SegmentFreeze}.Append(nil, f))
	var sm xcp.GetSegmentModeResponse
	_ = sm.Decode(c.ok(xcp.GetSegmentMode{}.Append(nil, f)), f)
	if sm.Mode != xcp.SegmentFreeze {
		t.Fatalf("segment mode %d", sm.Mode)
	}
	// STORE_CAL_REQ makes the working page the reference page and sends
	// EV_STORE_CAL.
	f.Order.PutUint32(buf[:], math.Float32bits(7))
	c.write(CalBase, buf[:])
	c.ok(xcp.SetRequest{Mode: xcp.RequestStoreCal, SessionConfigID: 0x1234}.Append(nil, f))
	if ev := c.recv(); !bytes.Equal(ev, []byte{xcp.PIDEv, byte(xcp.EvStoreCal)}) {
		t.Fatalf("event % X", ev)
	}
	c.ok(xcp.SetCalPage{Mode: xcp.CalPageXCP, Page: PageReference}.Append(nil, f))
	if a := amp(c.read(CalBase, 4)); a != 7 {
		t.Fatalf("stored amplitude %v", a)
	}
	var st xcp.GetStatusResponse
	_ = st.Decode(c.ok(xcp.GetStatus{}.Append(nil, f)), f)
	if st.SessionConfigID != 0x1234 || st.Session&xcp.SessionStoreCalReq != 0 {
		t.Fatalf("status after store %+v", st)
	}
	c.fail(xcp.SetRequest{Mode: 0x06}.Append(nil, f), xcp.ErrOutOfRange)
	c.fail(xcp.SetRequest{Mode: xcp.RequestStoreDaqResume}.Append(nil, f), xcp.ErrOutOfRange)
	c.fail(xcp.SetRequest{Mode: 0x40}.Append(nil, f), xcp.ErrOutOfRange)
	c.send(xcp.SetRequest{Mode: xcp.RequestClearDaq}.Append(nil, f))
	if ev := c.recv(); !bytes.Equal(ev, []byte{xcp.PIDEv, byte(xcp.EvClearDaq)}) {
		t.Fatalf("event % X", ev)
	}
	c.recvRes()
}

// recvRes checks that the next packet is a RES and returns it.
func (c *client) recvRes() []byte {
	c.t.Helper()
	p := c.recv()
	if p[0] != xcp.PIDRes {
		c.t.Fatalf("expected RES, got % X", p)
	}
	return p
}

func TestStoreCalPending(t *testing.T) {
	s, c := start(t, Config{StoreCalDelay: time.Hour})
	c.write(CalBase+0x100, []byte{0xEE})
	c.ok(xcp.SetRequest{Mode: xcp.RequestStoreCal}.Append(nil, c.f))
	var st xcp.GetStatusResponse
	_ = st.Decode(c.ok(xcp.GetStatus{}.Append(nil, c.f)), c.f)
	if st.Session&xcp.SessionStoreCalReq == 0 {
		t.Fatalf("STORE_CAL_REQ not pending: %+v", st)
	}
	c.fail(xcp.SetRequest{Mode: xcp.RequestStoreCal}.Append(nil, c.f), xcp.ErrCmdBusy)
	s.mu.Lock()
	ref := s.cal.pages[PageReference][0x100]
	s.mu.Unlock()
	if ref == 0xEE {
		t.Fatal("stored before the delay")
	}
}

func TestVariables(t *testing.T) {
	for _, order := range []xcp.ByteOrder{xcp.Intel, xcp.Motorola} {
		s, err := New(Config{Order: order})
		if err != nil {
			t.Fatal(err)
		}
		o := order
		read := func(name string) []byte {
			for _, v := range Variables() {
				if v.Name == name {
					b, err := s.ReadMemory(v.Addr, 0, v.Type.Size())
					if err != nil {
						t.Fatal(err)
					}
					return b
				}
			}
			t.Fatalf("no variable %s", name)
			return nil
		}
		tests := []struct {
			t          time.Duration
			counter    uint32
			sine, ramp float64
			tri        int16
			sq         int8
			status     byte
			timeUS     uint64
		}{
			{0, 0, 0, 0, 0, 1, 2, 0},
			{250 * time.Millisecond, 250, 100, 2.5, 1000, 1, 3, 250000},
			{750 * time.Millisecond, 750, -100, 7.5, -1000, -1, 2, 750000},
			{10500 * time.Millisecond, 10500, 0, 5, 0, -1, 2, 10500000},
		}
		for _, tc := range tests {
			s.mu.Lock()
			s.updateVarsLocked(tc.t)
			// Read the raw RAM (ReadMemory would recompute for "now").
			ram := append([]byte(nil), s.mem.ram[:varsSize]...)
			s.mu.Unlock()
			got := struct {
				counter uint32
				sine    float64
				ramp    float64
				tri     int16
				sq      int8
				status  byte
				us      uint64
			}{o.Uint32(ram), float64(math.Float32frombits(o.Uint32(ram[8:]))), float64(math.Float32frombits(o.Uint32(ram[12:]))),
				int16(o.Uint16(ram[0x20:])), int8(ram[0x22]), ram[7], o.Uint64(ram[0x18:])}
			if got.counter != tc.counter || math.Abs(got.sine-tc.sine) > 1e-3 || math.Abs(got.ramp-tc.ramp) > 1e-3 ||
				got.tri != tc.tri || got.sq != tc.sq || got.status != tc.status || got.us != tc.timeUS {
				t.Errorf("%s t=%v: got %+v, want %+v", order, tc.t, got, tc)
			}
			if o.Uint16(ram[4:]) != uint16(tc.counter) || ram[6] != byte(tc.counter) {
				t.Errorf("counter16/8 at %v", tc.t)
			}
			if math.Abs(math.Float64frombits(o.Uint64(ram[0x10:]))-tc.sine) > 1e-3 {
				t.Errorf("sine64 at %v", tc.t)
			}
		}
		// ReadMemory samples "now": the counter runs.
		a := o.Uint32(read("counter"))
		time.Sleep(3 * time.Millisecond)
		if b := o.Uint32(read("counter")); b <= a {
			t.Errorf("counter did not advance: %d -> %d", a, b)
		}
		// enable = 0 stops the waveforms.
		if err := s.WriteMemory(CalBase+0x10, 0, []byte{0}); err != nil {
			t.Fatal(err)
		}
		s.updateVars(250 * time.Millisecond)
		s.mu.Lock()
		ram := s.mem.ram
		if math.Float32frombits(o.Uint32(ram[8:])) != 0 || ram[7] != 0 {
			t.Errorf("enable=0: sine %v status %d", math.Float32frombits(o.Uint32(ram[8:])), ram[7])
		}
		s.mu.Unlock()
	}
}

func TestPGM(t *testing.T) {
	s, c := start(t, Config{MaxCTO: 8, Protect: xcp.ResPgm})
	f := c.f
	var pi xcp.GetPgmProcessorInfoResponse
	if err := pi.Decode(c.ok(xcp.GetPgmProcessorInfo{}.Append(nil, f)), f); err != nil || pi.MaxSector != FlashSectors {
		t.Fatalf("PGM info %+v %v", pi, err)
	}
	var si xcp.GetSectorInfoResponse
	_ = si.Decode(c.ok(xcp.GetSectorInfo{Mode: xcp.SectorInfoStart, Sector: 2}.Append(nil, f)), f)
	if si.Info != FlashBase+2*SectorSize {
		t.Fatalf("sector 2 start 0x%X", si.Info)
	}
	_ = si.Decode(c.ok(xcp.GetSectorInfo{Mode: xcp.SectorInfoLength, Sector: 2}.Append(nil, f)), f)
	if si.Info != SectorSize {
		t.Fatalf("sector length 0x%X", si.Info)
	}
	var nl xcp.GetSectorNameLengthResponse
	_ = nl.Decode(c.ok(xcp.GetSectorInfo{Mode: xcp.SectorInfoNameLength, Sector: 1}.Append(nil, f)), f)
	if name := string(c.uploadMTA(int(nl.NameLength))); name != "FLASH1" {
		t.Fatalf("sector name %q", name)
	}
	c.fail(xcp.GetSectorInfo{Sector: FlashSectors}.Append(nil, f), xcp.ErrSegmentNotValid)

	c.fail(xcp.ProgramStart{}.Append(nil, f), xcp.ErrAccessLocked)
	c.unlock(xcp.ResPgm)
	c.fail(xcp.ProgramClear{Range: SectorSize}.Append(nil, f), xcp.ErrSequence)
	var ps xcp.ProgramStartResponse
	if err := ps.Decode(c.ok(xcp.ProgramStart{}.Append(nil, f)), f); err != nil || ps.MaxCTOPgm != 8 {
		t.Fatalf("PROGRAM_START %+v %v", ps, err)
	}
	c.ok(xcp.ProgramFormat{}.Append(nil, f))
	c.fail(xcp.ProgramFormat{Compression: 1}.Append(nil, f), xcp.ErrOutOfRange)
	// Clear sector 1 (absolute): must be sector aligned.
	c.setMTA(FlashBase+SectorSize+4, 0)
	c.fail(xcp.ProgramClear{Range: SectorSize}.Append(nil, f), xcp.ErrOutOfRange)
	c.setMTA(FlashBase+SectorSize, 0)
	c.ok(xcp.ProgramClear{Range: SectorSize}.Append(nil, f))
	if b, _ := s.ReadMemory(FlashBase+SectorSize, 0, 4); !bytes.Equal(b, []byte{0xFF, 0xFF, 0xFF, 0xFF}) {
		t.Fatalf("not erased: % X", b)
	}
	// Program 20 bytes in master block mode, then 6 with PROGRAM_MAX... (7 = MAX_CTO-1).
	img := []byte("flash image 0123456")
	img = append(img, 'X')
	c.setMTA(FlashBase+SectorSize, 0)
	c.send(xcp.Program{N: 20, Data: img[:6]}.Append(nil, f))
	c.send(xcp.ProgramNext{N: 14, Data: img[6:12]}.Append(nil, f))
	c.send(xcp.ProgramNext{N: 8, Data: img[12:18]}.Append(nil, f))
	c.ok(xcp.ProgramNext{N: 2, Data: img[18:20]}.Append(nil, f))
	c.ok(xcp.ProgramMax{Data: []byte("1234567")}.Append(nil, f))
	c.ok(xcp.Program{N: 0}.Append(nil, f))
	got, _ := s.ReadMemory(FlashBase+SectorSize, 0, 27)
	if string(got) != string(img)+"1234567" {
		t.Fatalf("flash %q", got)
	}
	// Flash semantics: programming over data only clears bits.
	c.setMTA(FlashBase+SectorSize, 0)
	c.ok(xcp.Program{N: 1, Data: []byte{0x0F}}.Append(nil, f))
	if b, _ := s.ReadMemory(FlashBase+SectorSize, 0, 1); b[0] != 'f'&0x0F {
		t.Fatalf("AND semantics: %02X", b[0])
	}
	// Outside flash.
	c.setMTA(ScratchBase, 0)
	c.fail(xcp.Program{N: 1, Data: []byte{1}}.Append(nil, f), xcp.ErrAccessDenied)
	// Verify: CRC-32 of the whole flash.
	mem, _ := s.ReadMemory(FlashBase, 0, FlashSectors*SectorSize)
	c.ok(xcp.ProgramVerify{Mode: xcp.VerifyValue, Type: 2, Value: crc32.ChecksumIEEE(mem)}.Append(nil, f))
	c.fail(xcp.ProgramVerify{Mode: xcp.VerifyValue, Type: 2, Value: 1}.Append(nil, f), xcp.ErrVerify)
	// Functional clear of the code area erases everything.
	c.ok(xcp.ProgramClear{Mode: xcp.ClearFunctional, Range: 2}.Append(nil, f))
	if b, _ := s.ReadMemory(FlashBase, 0, 8); !bytes.Equal(b, bytes.Repeat([]byte{0xFF}, 8)) {
		t.Fatalf("functional clear: % X", b)
	}
	c.fail(xcp.ProgramPrepare{CodeSize: 4}.Append(nil, f), xcp.ErrCmdUnknown)
	// PROGRAM_RESET answers, then the slave is disconnected.
	c.ok(xcp.ProgramReset{}.Append(nil, f))
	c.send(xcp.GetStatus{}.Append(nil, f))
	c.silent()
}

func TestUserCommandsAndEvents(t *testing.T) {
	s, c := start(t, Config{MaxCTO: 8})
	// SERV_TEXT via USER_CMD: 11 characters in two packets (6 per packet).
	c.send(xcp.UserCmd{Sub: UserServText, Params: []byte("hello")}.Append(nil, c.f))
	if p := c.recv(); !bytes.Equal(p, []byte{0xFC, 0x01, 'h', 'e', 'l', 'l', 'o'}) {
		t.Fatalf("SERV_TEXT % X", p)
	}
	c.recvRes()
	if err := s.ServText(t.Context(), "0123456789"); err != nil {
		t.Fatal(err)
	}
	var text string
	for range 2 {
		r, err := xcp.DecodeServiceRequest(c.recv())
		if err != nil || r.Code != xcp.ServText {
			t.Fatalf("%+v %v", r, err)
		}
		text += string(r.Data)
	}
	if text != "0123456789" {
		t.Fatalf("text %q", text)
	}
	if err := s.Event(t.Context(), xcp.EvUser, []byte{1, 2}); err != nil {
		t.Fatal(err)
	}
	if p := c.recv(); !bytes.Equal(p, []byte{0xFD, 0xFE, 1, 2}) {
		t.Fatalf("event % X", p)
	}
	if err := s.Event(t.Context(), xcp.EvUser, make([]byte, 7)); err == nil {
		t.Fatal("oversized event accepted")
	}
	c.send(xcp.UserCmd{Sub: UserEvent, Params: []byte{byte(xcp.EvSleep)}}.Append(nil, c.f))
	if p := c.recv(); !bytes.Equal(p, []byte{0xFD, byte(xcp.EvSleep)}) {
		t.Fatalf("event % X", p)
	}
	c.recvRes()
	if err := s.ServReset(t.Context()); err != nil {
		t.Fatal(err)
	}
	if p := c.recv(); !bytes.Equal(p, []byte{0xFC, 0x00}) {
		t.Fatalf("SERV_RESET % X", p)
	}
	// Slow command: EV_CMD_PENDING before the response.
	c.send(xcp.UserCmd{Sub: UserSlow, Params: c.f.Order.AppendUint16(nil, 40)}.Append(nil, c.f))
	begin := time.Now()
	if p := c.recv(); !bytes.Equal(p, []byte{0xFD, byte(xcp.EvCmdPending)}) {
		t.Fatalf("pending % X", p)
	}
	for {
		p := c.recv()
		if p[0] == xcp.PIDRes {
			break
		}
		if !bytes.Equal(p, []byte{0xFD, byte(xcp.EvCmdPending)}) {
			t.Fatalf("unexpected % X", p)
		}
	}
	if time.Since(begin) < 40*time.Millisecond {
		t.Fatal("slow command answered early")
	}
	c.fail(xcp.UserCmd{Sub: UserSlow}.Append(nil, c.f), xcp.ErrCmdSyntax)
	// Without a session.
	c.ok(xcp.Disconnect{}.Append(nil, c.f))
	if err := s.ServText(t.Context(), "x"); !errors.Is(err, ErrNoSession) {
		t.Fatalf("ServText without session: %v", err)
	}
}

func TestFaults(t *testing.T) {
	s, c := start(t, Config{MaxCTO: 16})
	status := xcp.GetStatus{}.Append(nil, c.f)

	// Drop: executed but unanswered.
	s.DropResponses(2)
	c.send(xcp.ShortDownload{Addr: ScratchBase, Data: []byte{9}}.Append(nil, c.f))
	c.send(status)
	c.silent()
	c.ok(status)
	if b, _ := s.ReadMemory(ScratchBase, 0, 1); b[0] != 9 {
		t.Fatal("dropped command not executed")
	}
	// Delay.
	s.DelayResponses(1, 30*time.Millisecond)
	begin := time.Now()
	c.ok(status)
	if time.Since(begin) < 30*time.Millisecond {
		t.Fatal("not delayed")
	}
	// Busy k times, then normal; CONNECT and SYNCH are exempt.
	s.Busy(2)
	c.fail(xcp.Synch{}.Append(nil, c.f), xcp.ErrCmdSynch)
	c.fail(status, xcp.ErrCmdBusy)
	c.fail(xcp.ShortUpload{N: 1, Addr: ScratchBase}.Append(nil, c.f), xcp.ErrCmdBusy)
	c.ok(status)
	// Any error code for one command, in arming order.
	s.InjectError(xcp.CmdShortUpload, xcp.ErrAccessLocked, 1)
	s.InjectError(xcp.CmdShortUpload, xcp.ErrMemoryOverflow, 1)
	c.ok(status)
	c.fail(xcp.ShortUpload{N: 1, Addr: ScratchBase}.Append(nil, c.f), xcp.ErrAccessLocked)
	c.fail(xcp.ShortUpload{N: 1, Addr: ScratchBase}.Append(nil, c.f), xcp.ErrMemoryOverflow)
	c.ok(xcp.ShortUpload{N: 1, Addr: ScratchBase}.Append(nil, c.f))
	// Corrupt: default truncation to the PID, or a custom mutation.
	s.CorruptResponses(1, nil)
	if p := c.do(status); !bytes.Equal(p, []byte{xcp.PIDRes}) {
		t.Fatalf("corrupt % X", p)
	}
	var st xcp.GetStatusResponse
	if err := st.Decode([]byte{xcp.PIDRes}, c.f); !errors.Is(err, xcp.ErrMalformed) {
		t.Fatalf("truncated GET_STATUS decodes: %v", err)
	}
	s.CorruptResponses(1, func(p []byte) []byte { p[0] = 0x42; return p })
	if p := c.do(status); p[0] != 0x42 {
		t.Fatalf("mutate % X", p)
	}
	// Slow commands with EV_CMD_PENDING.
	s.SlowCommands(1, 30*time.Millisecond, 10*time.Millisecond)
	c.send(status)
	n := 0
	for {
		p := c.recv()
		if p[0] == xcp.PIDRes {
			break
		}
		n++
	}
	if n < 1 {
		t.Fatal("no EV_CMD_PENDING")
	}
	// ClearFaults disarms.
	s.DropResponses(5)
	s.Busy(5)
	s.ClearFaults()
	c.ok(status)
	// History.
	h := s.History()
	if len(h) < 10 || h[0] != xcp.CmdConnect || h[len(h)-1] != xcp.CmdGetStatus {
		t.Fatalf("history %v", h)
	}
	s.ResetHistory()
	if len(s.History()) != 0 {
		t.Fatal("history not reset")
	}
	// Slave block UPLOAD (15 bytes per packet): the first packet dropped.
	c.setMTA(ROMBase, 0)
	s.DropResponses(1)
	c.send(xcp.Upload{N: 40}.Append(nil, c.f))
	var got []byte
	for range 2 {
		got = append(got, c.recv()[1:]...)
	}
	c.silent()
	rom, _ := s.ReadMemory(ROMBase+15, 0, 25)
	if !bytes.Equal(got, rom) {
		t.Fatalf("block after drop: % X", got)
	}
	// Disconnect closes the connection: Serve returns (checked by cleanup).
	s.Disconnect()
	if _, err := c.recvWithin(time.Second); err == nil {
		t.Fatal("connection still open")
	}
}

func TestTakeOver(t *testing.T) {
	s, err := New(Config{Protect: xcp.ResCalPag, Takeover: true})
	if err != nil {
		t.Fatal(err)
	}
	c1 := serve(t, s)
	c1.connect(xcp.ConnectNormal)
	c1.unlock(xcp.ResCalPag)
	c2 := serve(t, s)
	c2.connect(xcp.ConnectNormal)
	// The first connection lost the session.
	c1.send(xcp.GetStatus{}.Append(nil, c1.f))
	c1.silent()
	var st xcp.GetStatusResponse
	_ = st.Decode(c2.ok(xcp.GetStatus{}.Append(nil, c2.f)), c2.f)
	if st.Protection != xcp.ResCalPag {
		t.Fatalf("new session protection %s", st.Protection)
	}
	if err := s.ServText(t.Context(), "to c2"); err != nil {
		t.Fatal(err)
	}
	if p := c2.recv(); string(p[2:]) != "to c2" {
		t.Fatalf("% X", p)
	}
}

func TestServeOverEthernet(t *testing.T) {
	for _, network := range []string{"tcp4", "udp4"} {
		t.Run(network, func(t *testing.T) {
			s, err := New(Config{MaxCTO: 8})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			addrCh := make(chan net.Addr, 1)
			done := make(chan error, 1)
			go func() { done <- s.ListenAndServe(ctx, network, "127.0.0.1:0", func(a net.Addr) { addrCh <- a }) }()
			var addr net.Addr
			select {
			case addr = <-addrCh:
			case err := <-done:
				t.Fatal(err)
			}
			_, port, _ := net.SplitHostPort(addr.String())
			p, _ := strconv.Atoi(port)
			conn, err := eth.Dial(ctx, eth.Config{Protocol: network[:3], Host: "127.0.0.1", Port: p})
			if err != nil {
				t.Fatal(err)
			}
			c := &client{t: t, conn: conn, ctx: ctx}
			c.connect(xcp.ConnectNormal)
			data := []byte("over the network, in blocks")
			c.write(ScratchBase, data)
			if got := c.read(ScratchBase, len(data)); !bytes.Equal(got, data) {
				t.Fatalf("got %q", got)
			}
			a2l := s.A2L()
			if want := "XCP_ON_" + strings.ToUpper(network[:3]) + "_IP 0x0105 " + port; !strings.Contains(a2l, want) {
				t.Fatalf("A2L lacks %q", want)
			}
			conn.Close()
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if strings.Contains(s.A2L(), "XCP_ON_") {
				t.Fatal("endpoint still declared after serving")
			}
		})
	}
	s, _ := New(Config{})
	if err := s.ListenAndServe(context.Background(), "bogus", "", nil); err == nil {
		t.Fatal("bad network accepted")
	}
}

// TestServTextHonoursContext: a master that stops reading must not hold
// ServText forever; the caller's context ends the wait.
func TestServTextHonoursContext(t *testing.T) {
	s, _ := start(t, Config{MaxCTO: 8})
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	// 6 text bytes per packet: far more packets than the pipe buffers.
	go func() { errc <- s.ServText(ctx, strings.Repeat("x", 6*1000)) }()
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("ServText after cancel: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ServText ignores its context")
	}
}

func TestReadMemoryNegativeLength(t *testing.T) {
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadMemory(RAMBase, 0, -1); !errors.Is(err, xcp.ErrOutOfRange) {
		t.Fatalf("ReadMemory(-1): %v, want ERR_OUT_OF_RANGE", err)
	}
}
