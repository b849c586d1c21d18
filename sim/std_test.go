package sim

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"AG 3", Config{AG: 3}, "address granularity"},
		{"order", Config{Order: 7}, "byte order"},
		{"MaxCTO small", Config{MaxCTO: 7}, "MaxCTO 7"},
		{"MaxCTO big", Config{MaxCTO: 256}, "MaxCTO 256"},
		{"MaxCTO vs AG", Config{MaxCTO: 10, AG: xcp.DWord}, "multiple"},
		{"MaxDTO", Config{MaxDTO: 4}, "MaxDTO"},
		{"SeedLen", Config{SeedLen: 300}, "SeedLen"},
		{"RAM", Config{RAMSize: 100}, "RAMSize"},
		{"Protect", Config{Protect: 0x02}, "Protect"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrConfig naming %q", err, tc.want)
			}
		})
	}
}

func TestConnectFormats(t *testing.T) {
	tests := []struct {
		cfg        Config
		wantBasic  uint8
		wantCTO    uint8
		wantDTO    uint16
		wantFormat xcp.Format
	}{
		{Config{}, 0xC0, 255, 1024, xcp.Format{Order: xcp.Intel, AG: xcp.Byte, MaxCTO: 255, MaxDTO: 1024}},
		{Config{Order: xcp.Motorola, AG: xcp.Word, MaxCTO: 64, MaxDTO: 300}, 0xC3, 64, 300, xcp.Format{Order: xcp.Motorola, AG: xcp.Word, MaxCTO: 64, MaxDTO: 300}},
		{Config{AG: xcp.DWord, MaxCTO: 8, NoSlaveBlockMode: true}, 0x84, 8, 1024, xcp.Format{AG: xcp.DWord, MaxCTO: 8, MaxDTO: 1024}},
		{Config{AG: xcp.Word}, 0xC2, 254, 1024, xcp.Format{AG: xcp.Word, MaxCTO: 254, MaxDTO: 1024}},
		{Config{AG: xcp.DWord}, 0xC4, 252, 1024, xcp.Format{AG: xcp.DWord, MaxCTO: 252, MaxDTO: 1024}},
	}
	for _, tc := range tests {
		_, c := start(t, tc.cfg)
		r := c.connect(xcp.ConnectUserDefined)
		if r.CommModeBasic != tc.wantBasic || r.MaxCTO != tc.wantCTO || r.MaxDTO != tc.wantDTO || c.f != tc.wantFormat {
			t.Errorf("%+v: got %+v format %+v", tc.cfg, r, c.f)
		}
		if r.Resource != xcp.ResCalPag|xcp.ResDaq|xcp.ResStim|xcp.ResPgm|xcp.ResDbg {
			t.Errorf("resources %s", r.Resource)
		}
	}
}

func TestSessionCommands(t *testing.T) {
	s, c := start(t, Config{MaxBS: 8, MinST: 3})
	_ = s
	// GET_STATUS
	var st xcp.GetStatusResponse
	if err := st.Decode(c.ok(xcp.GetStatus{}.Append(nil, c.f)), c.f); err != nil || st.Protection != 0 || st.Session != 0 {
		t.Fatalf("GET_STATUS %+v %v", st, err)
	}
	// GET_COMM_MODE_INFO
	var cm xcp.GetCommModeInfoResponse
	if err := cm.Decode(c.ok(xcp.GetCommModeInfo{}.Append(nil, c.f)), c.f); err != nil || !cm.MasterBlockMode() || cm.MaxBS != 8 || cm.MinST != 3 {
		t.Fatalf("GET_COMM_MODE_INFO %+v %v", cm, err)
	}
	// SYNCH answers ERR_CMD_SYNCH.
	c.fail(xcp.Synch{}.Append(nil, c.f), xcp.ErrCmdSynch)
	// GET_VERSION
	var v xcp.GetVersionResponse
	if err := v.Decode(c.ok(xcp.GetVersion{}.Append(nil, c.f)), c.f); err != nil || v.ProtocolMajor != 1 || v.ProtocolMinor != 5 {
		t.Fatalf("GET_VERSION %+v %v", v, err)
	}
	// Unknown and unsupported commands.
	c.fail([]byte{0xC1}, xcp.ErrCmdUnknown) // below 0xC0 is a STIM DTO (stim.go)
	c.fail(xcp.TransportLayerCmd{Sub: 1}.Append(nil, c.f), xcp.ErrCmdUnknown)
	c.fail([]byte{byte(xcp.CmdLevel1), 0x7F}, xcp.ErrSubcmdUnknown)
	c.fail(xcp.UserCmd{Sub: 0x77}.Append(nil, c.f), xcp.ErrSubcmdUnknown)
	// Truncated commands are syntax errors.
	c.fail([]byte{byte(xcp.CmdSetMTA), 0, 0}, xcp.ErrCmdSyntax)
	c.fail([]byte{byte(xcp.CmdShortUpload), 1}, xcp.ErrCmdSyntax)
	// DISCONNECT: afterwards the slave answers nothing but CONNECT.
	c.ok(xcp.Disconnect{}.Append(nil, c.f))
	c.send(xcp.GetStatus{}.Append(nil, c.f))
	c.silent()
	c.connect(xcp.ConnectNormal)
	c.ok(xcp.GetStatus{}.Append(nil, c.f))
}

func TestMemoryAccess(t *testing.T) {
	tests := []struct {
		name  string
		addr  uint32
		ext   uint8
		n     int
		write bool
		want  xcp.ErrorCode // 0xFF = success
	}{
		{"ROM read", ROMBase, 0, 16, false, 0xFF},
		{"ROM write", ROMBase, 0, 4, true, xcp.ErrWriteProtected},
		{"CAL write", CalBase + 0x100, 0, 4, true, 0xFF},
		{"CAL end", CalBase + CalSize - 4, 0, 8, false, xcp.ErrAccessDenied},
		{"FLASH read", FlashBase, 0, 8, false, 0xFF},
		{"FLASH write", FlashBase, 0, 8, true, xcp.ErrWriteProtected},
		{"RAM write", ScratchBase, 0, 8, true, 0xFF},
		{"unmapped read", 0x100, 0, 4, false, xcp.ErrAccessDenied},
		{"unmapped write", 0x00050000, 0, 4, true, xcp.ErrAccessDenied},
		{"ext 1", RAMBase, 1, 4, false, xcp.ErrAccessDenied},
	}
	_, c := start(t, Config{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			if tc.write {
				req := xcp.ShortDownload{Ext: tc.ext, Addr: tc.addr, Data: make([]byte, tc.n)}.Append(nil, c.f)
				if tc.want == 0xFF {
					c.ok(req)
				} else {
					c.fail(req, tc.want)
				}
				return
			}
			req := xcp.ShortUpload{N: uint8(tc.n), Ext: tc.ext, Addr: tc.addr}.Append(nil, c.f)
			if tc.want == 0xFF {
				c.ok(req)
			} else {
				c.fail(req, tc.want)
			}
		})
	}
}

func TestUploadDownloadRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"BYTE Intel CTO 8", Config{MaxCTO: 8}},
		{"WORD Motorola CTO 16", Config{AG: xcp.Word, Order: xcp.Motorola, MaxCTO: 16}},
		{"DWORD CTO 252", Config{AG: xcp.DWord, MaxCTO: 252}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, c := start(t, tc.cfg)
			data := make([]byte, 200*c.f.AG.Size())
			for i := range data {
				data[i] = byte(i*13 + 1)
			}
			c.write(ScratchBase+0x100, data)
			if got := c.read(ScratchBase+0x100, len(data)); !bytes.Equal(got, data) {
				t.Fatalf("read back\n% X\nwant\n% X", got, data)
			}
			direct, err := s.ReadMemory(ScratchBase+0x100, 0, len(data))
			if err != nil || !bytes.Equal(direct, data) {
				t.Fatalf("ReadMemory: %v", err)
			}
			// Misaligned MTA.
			if ag := c.f.AG.Size(); ag > 1 {
				c.setMTA(ScratchBase+1, 0)
				c.fail(xcp.Upload{N: 1}.Append(nil, c.f), xcp.ErrOutOfRange)
			}
		})
	}
}

func TestSlaveBlockModeOff(t *testing.T) {
	_, c := start(t, Config{MaxCTO: 8, NoSlaveBlockMode: true})
	c.setMTA(ROMBase, 0)
	c.fail(xcp.Upload{N: 8}.Append(nil, c.f), xcp.ErrOutOfRange)
	c.ok(xcp.Upload{N: 7}.Append(nil, c.f))
}

func TestMasterBlockMode(t *testing.T) {
	s, c := start(t, Config{MaxCTO: 8, MaxBS: 4})
	// 6 elements per packet: 20 bytes = DOWNLOAD(6) + NEXT(14) + NEXT(8) + NEXT(2).
	data := []byte("0123456789abcdefghij")
	c.setMTA(ScratchBase, 0)
	c.send(xcp.Download{N: 20, Data: data[:6]}.Append(nil, c.f))
	c.send(xcp.DownloadNext{N: 14, Data: data[6:12]}.Append(nil, c.f))
	c.send(xcp.DownloadNext{N: 8, Data: data[12:18]}.Append(nil, c.f))
	c.ok(xcp.DownloadNext{N: 2, Data: data[18:]}.Append(nil, c.f))
	got, _ := s.ReadMemory(ScratchBase, 0, 20)
	if !bytes.Equal(got, data) {
		t.Fatalf("got %q", got)
	}
	// MTA was post-incremented.
	c.ok(xcp.NewDownload([]byte("Z"), c.f).Append(nil, c.f))
	if got, _ := s.ReadMemory(ScratchBase+20, 0, 1); got[0] != 'Z' {
		t.Fatalf("MTA not incremented: %q", got)
	}

	// A broken sequence: ERR_SEQUENCE with the expected count; nothing written.
	c.setMTA(ScratchBase+0x100, 0)
	c.send(xcp.Download{N: 20, Data: data[:6]}.Append(nil, c.f))
	p := c.fail(xcp.DownloadNext{N: 13, Data: data[6:12]}.Append(nil, c.f), xcp.ErrSequence)
	if len(p) < 3 || p[2] != 14 {
		t.Fatalf("ERR_SEQUENCE should carry 14: % X", p)
	}
	if got, _ := s.ReadMemory(ScratchBase+0x100, 0, 6); bytes.Equal(got, data[:6]) {
		t.Fatal("broken block was written")
	}
	// DOWNLOAD_NEXT without a block.
	c.fail(xcp.DownloadNext{N: 2, Data: data[:2]}.Append(nil, c.f), xcp.ErrSequence)
	// More than MAX_BS packets.
	c.fail(xcp.Download{N: 25, Data: data[:6]}.Append(nil, c.f), xcp.ErrOutOfRange)
	// A block into write-protected memory is refused at once.
	c.setMTA(ROMBase, 0)
	c.fail(xcp.Download{N: 20, Data: data[:6]}.Append(nil, c.f), xcp.ErrWriteProtected)

	// Master block mode off.
	_, c2 := start(t, Config{MaxCTO: 8, NoMasterBlockMode: true})
	c2.setMTA(ScratchBase, 0)
	c2.fail(xcp.Download{N: 20, Data: data[:6]}.Append(nil, c2.f), xcp.ErrOutOfRange)
}

func TestDownloadMaxShortModify(t *testing.T) {
	s, c := start(t, Config{MaxCTO: 16, Order: xcp.Motorola})
	c.setMTA(ScratchBase, 0)
	data := bytes.Repeat([]byte{0xAB}, c.f.MaxUploadElements())
	c.ok(xcp.DownloadMax{Data: data}.Append(nil, c.f))
	if got, _ := s.ReadMemory(ScratchBase, 0, len(data)); !bytes.Equal(got, data) {
		t.Fatalf("DOWNLOAD_MAX: % X", got)
	}
	c.ok(xcp.ShortDownload{Addr: ScratchBase + 0x40, Data: []byte{0x12, 0x34, 0x56, 0x78}}.Append(nil, c.f))
	// MODIFY_BITS on the DWORD at the MTA (Motorola): clear bits 8..15, toggle bit 0.
	c.setMTA(ScratchBase+0x40, 0)
	c.ok(xcp.ModifyBits{Shift: 8, AndMask: 0xFF00, XorMask: 0x0000}.Append(nil, c.f))
	c.ok(xcp.ModifyBits{Shift: 0, AndMask: 0xFFFF, XorMask: 0x0001}.Append(nil, c.f))
	got, _ := s.ReadMemory(ScratchBase+0x40, 0, 4)
	if want := []byte{0x12, 0x34, 0x00, 0x79}; !bytes.Equal(got, want) {
		t.Fatalf("MODIFY_BITS: % X, want % X", got, want)
	}
	p := c.ok(xcp.ShortUpload{N: 4, Addr: ScratchBase + 0x40}.Append(nil, c.f))
	if !bytes.Equal(p[1:5], got) {
		t.Fatalf("SHORT_UPLOAD % X", p)
	}
	c.fail(xcp.ShortUpload{N: 16, Addr: ScratchBase}.Append(nil, c.f), xcp.ErrOutOfRange)
}

func TestSeedAndKey(t *testing.T) {
	cfg := Config{MaxCTO: 8, Protect: xcp.ResCalPag | xcp.ResPgm, RandSeed: 42}
	s, c := start(t, cfg)
	if s.Config().SeedLen <= c.f.CTO()-2 {
		t.Fatalf("default seed %d fits one packet", s.Config().SeedLen)
	}
	var st xcp.GetStatusResponse
	_ = st.Decode(c.ok(xcp.GetStatus{}.Append(nil, c.f)), c.f)
	if st.Protection != xcp.ResCalPag|xcp.ResPgm {
		t.Fatalf("protection %s", st.Protection)
	}
	// Locked resources.
	c.setMTA(ScratchBase, 0)
	c.fail(xcp.NewDownload([]byte{1}, c.f).Append(nil, c.f), xcp.ErrAccessLocked)
	c.fail(xcp.GetCalPage{Mode: xcp.CalPageXCP}.Append(nil, c.f), xcp.ErrAccessLocked)
	c.fail(xcp.ProgramStart{}.Append(nil, c.f), xcp.ErrAccessLocked)
	// Unprotected resource: seed of length 0.
	p := c.ok(xcp.GetSeed{Resource: xcp.ResDaq}.Append(nil, c.f))
	if p[1] != 0 {
		t.Fatalf("DAQ seed % X", p)
	}
	// Sequence and range errors.
	c.fail(xcp.GetSeed{Mode: 1}.Append(nil, c.f), xcp.ErrSequence)
	c.fail(xcp.GetSeed{Resource: xcp.ResCalPag | xcp.ResPgm}.Append(nil, c.f), xcp.ErrOutOfRange)
	c.fail(xcp.Unlock{Remaining: 2, Key: []byte{1, 2}}.Append(nil, c.f), xcp.ErrSequence)
	// Multi-part unlock.
	if prot := c.unlock(xcp.ResCalPag); prot != xcp.ResPgm {
		t.Fatalf("after unlock: %s", prot)
	}
	c.ok(xcp.NewDownload([]byte{1}, c.f).Append(nil, c.f))
	// A wrong key ends the session.
	c.ok(xcp.GetSeed{Resource: xcp.ResPgm}.Append(nil, c.f))
	for {
		p := c.ok(xcp.GetSeed{Mode: 1, Resource: xcp.ResPgm}.Append(nil, c.f))
		if int(p[1]) <= c.f.CTO()-2 {
			break
		}
	}
	key := make([]byte, s.Config().SeedLen)
	for sent := 0; ; {
		n := min(6, len(key)-sent)
		p := c.do(xcp.Unlock{Remaining: uint8(len(key) - sent), Key: key[sent : sent+n]}.Append(nil, c.f))
		sent += n
		if sent == len(key) {
			if p[0] != xcp.PIDErr || xcp.ErrorCode(p[1]) != xcp.ErrAccessLocked {
				t.Fatalf("wrong key: % X", p)
			}
			break
		}
	}
	c.send(xcp.GetStatus{}.Append(nil, c.f))
	c.silent()
	// CONNECT locks again.
	c.connect(xcp.ConnectNormal)
	c.setMTA(ScratchBase, 0)
	c.fail(xcp.NewDownload([]byte{1}, c.f).Append(nil, c.f), xcp.ErrAccessLocked)
}

func TestDemoKeyGolden(t *testing.T) {
	got := DemoKey(xcp.ResCalPag, []byte{0x01, 0x02, 0x03})
	// k0 = 0x5A^0x01 = 0x5B; k = rotl(0x5B,3)=0xDA ^0x01^0 = 0xDB -> 0x16
	// k = rotl(0xDB,3)=0xDE ^0x02^0x01 = 0xDD -> 0x18
	// k = rotl(0xDD,3)=0xEE ^0x03^0x02 = 0xEF -> 0x2A
	want := []byte{0x16, 0x18, 0x2A}
	if !bytes.Equal(got, want) {
		t.Fatalf("DemoKey = % X, want % X", got, want)
	}
	if bytes.Equal(DemoKey(xcp.ResPgm, []byte{1, 2, 3}), got) {
		t.Fatal("key does not depend on the resource")
	}
}

func TestGetIDAndA2L(t *testing.T) {
	for _, inline := range []bool{false, true} {
		_, c := start(t, Config{MaxCTO: 64, IDInResponse: inline, Name: "ecu-x"})
		tests := []struct {
			typ  xcp.IDType
			want string
		}{
			{xcp.IDASCII, "ecu-x"},
			{xcp.IDFilename, A2LName},
			{xcp.IDFilePath, A2LName + ".a2l"},
			{xcp.IDURL, ""},
			{xcp.IDEPK, EPK},
		}
		for _, tc := range tests {
			var r xcp.GetIDResponse
			p := c.ok(xcp.GetID{Type: tc.typ}.Append(nil, c.f))
			if err := r.Decode(p, c.f); err != nil {
				t.Fatal(err)
			}
			var got string
			if r.Inline() {
				got = string(r.Data)
			} else {
				got = string(c.uploadMTA(int(r.Length)))
			}
			if got != tc.want || r.Inline() != (inline && tc.want != "") && tc.want != "" {
				t.Errorf("inline=%v type %s: %q (inline %v), want %q", inline, tc.typ, got, r.Inline(), tc.want)
			}
		}
		// Type 4: the A2L, always via UPLOAD.
		var r xcp.GetIDResponse
		if err := r.Decode(c.ok(xcp.GetID{Type: xcp.IDFile}.Append(nil, c.f)), c.f); err != nil || r.Inline() {
			t.Fatalf("GET_ID 4: %+v %v", r, err)
		}
		a2l := string(c.uploadMTA(int(r.Length)))
		for _, want := range []string{"ASAP2_VERSION 1 71", "/begin MEASUREMENT sine", "ECU_ADDRESS 0x100008",
			"/begin CHARACTERISTIC amplitude", "OPTIONAL_CMD BUILD_CHECKSUM", "/end PROJECT"} {
			if !strings.Contains(a2l, want) {
				t.Errorf("A2L lacks %q", want)
			}
		}
	}
}

// uploadMTA uploads n bytes from the current MTA.
func (c *client) uploadMTA(n int) []byte {
	c.t.Helper()
	ag := c.f.AG.Size()
	elems := (n + ag - 1) / ag
	var out []byte
	for elems > 0 {
		k := min(elems, 255)
		c.send(xcp.Upload{N: uint8(k)}.Append(nil, c.f))
		for range c.f.UploadPackets(k) {
			var r xcp.UploadResponse
			p := c.recv()
			if err := r.Decode(p, c.f); err != nil {
				c.t.Fatalf("UPLOAD: %v (% X)", err, p)
			}
			out = append(out, r.Data...)
		}
		elems -= k
	}
	return out[:n]
}

func TestMinSTViolations(t *testing.T) {
	s, c := start(t, Config{MaxCTO: 8, MinST: 250}) // 25 ms
	data := make([]byte, 12)
	c.setMTA(ScratchBase, 0)
	c.send(xcp.Download{N: 12, Data: data[:6]}.Append(nil, c.f))
	c.ok(xcp.DownloadNext{N: 6, Data: data[6:]}.Append(nil, c.f)) // at once: a violation
	if n := s.MinSTViolations(); n != 1 {
		t.Fatalf("violations %d, want 1", n)
	}
	c.setMTA(ScratchBase, 0)
	c.send(xcp.Download{N: 12, Data: data[:6]}.Append(nil, c.f))
	time.Sleep(30 * time.Millisecond)
	c.ok(xcp.DownloadNext{N: 6, Data: data[6:]}.Append(nil, c.f))
	if n := s.MinSTViolations(); n != 1 {
		t.Fatalf("violations %d after a gap, want 1", n)
	}
}
