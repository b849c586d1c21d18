package dbgtarget

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// captureLink records the packets the target sends outside responses.
type captureLink struct{ sent [][]byte }

func (l *captureLink) Send(p []byte) error {
	l.sent = append(l.sent, append([]byte(nil), p...))
	return nil
}

var (
	f    = xcp.Format{Order: xcp.Intel}
	base = Base{Order: xcp.Intel, SlaveBlock: true, MasterBlock: true, MaxBS: 32}
)

func errOf(code xcp.ErrorCode) []byte { return []byte{xcp.PIDErr, byte(code)} }

// TestCommands runs command sequences on one or two sessions of a target
// and checks every answer byte for byte.
func TestCommands(t *testing.T) {
	attach := swdbg.Attach{}.Append(nil, f)
	read4 := swdbg.Read{TRI: 0, EW: swdbg.EWByte, N: 4, Addr: 0x70000000}.Append(nil, f)
	type step struct {
		session int // 0 or 1
		req     []byte
		locked  bool
		want    []byte // nil: only check that the answer is positive
	}
	tests := []struct {
		name  string
		cfg   Config
		steps []step
	}{
		{"read needs attach", Config{}, []step{
			{req: read4, want: []byte{xcp.PIDErr, byte(xcp.ErrDbg), byte(swdbg.ErrAttachMissing)}},
			{req: attach},
			{req: read4, want: []byte{xcp.PIDRes, 1, 2, 3, 4}},
		}},
		{"attach locked by seed & key", Config{}, []step{
			{req: attach, locked: true, want: errOf(xcp.ErrAccessLocked)},
		}},
		{"CAN-only slave", Config{MaxCTODbg: 16}, []step{
			{req: attach},
			{req: read4, want: errOf(xcp.ErrCmdUnknown)},
		}},
		{"truncated command", Config{}, []step{
			{req: []byte{byte(xcp.CmdLevel1), byte(xcp.L1SwDbg)}, want: errOf(xcp.ErrCmdSyntax)},
		}},
		{"exclusive access", Config{}, []step{
			{session: 0, req: attach},
			{session: 1, req: attach},
			{session: 0, req: swdbg.ExclusiveAccess{Mode: swdbg.ExclusiveRequest}.Append(nil, f), want: []byte{xcp.PIDRes}},
			{session: 1, req: read4, want: errOf(xcp.ErrResourceTemporaryNotAccessible)},
			{session: 0, req: swdbg.ExclusiveAccess{Mode: swdbg.ExclusiveRelease}.Append(nil, f), want: []byte{xcp.PIDRes}},
			{session: 1, req: read4, want: []byte{xcp.PIDRes, 1, 2, 3, 4}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := New(tc.cfg, base)
			var ss [2]Session
			for i, s := range tc.steps {
				got := tg.Command(&ss[s.session], &captureLink{}, s.req, s.locked)
				if s.want == nil && (len(got) == 0 || got[0] != xcp.PIDRes) || s.want != nil && !bytes.Equal(got, s.want) {
					t.Fatalf("step %d: % X answered % X, want % X", i, s.req, got, s.want)
				}
			}
		})
	}
}

// TestSlaveBlockRead: a read longer than one packet sends the leading
// packets through the Link and answers with the last one.
func TestSlaveBlockRead(t *testing.T) {
	tg := New(Config{MaxCTODbg: 64}, base)
	var ss Session
	link := &captureLink{}
	tg.Command(&ss, link, swdbg.Attach{}.Append(nil, f), false)
	const n = 200
	resp := tg.Command(&ss, link, swdbg.Read{EW: swdbg.EWByte, N: n, Addr: 0x70000000}.Append(nil, f), false)
	if len(resp) == 0 || resp[0] != xcp.PIDRes || len(link.sent) == 0 {
		t.Fatalf("answer % X after %d leading packets", resp, len(link.sent))
	}
	var data []byte
	for _, p := range append(link.sent, resp) {
		if len(p) > 64 {
			t.Fatalf("packet of %d bytes exceeds MAX_CTO_DBG 64", len(p))
		}
		data = append(data, p[1:]...) // PID, then byte elements
	}
	want := tg.Memory(0, 0x70000000, n)
	if !bytes.Equal(data, want) {
		t.Fatalf("read % X\nwant % X", data, want)
	}
}

// TestDetach: a detached session must attach again; exclusive access it
// held is released.
func TestDetach(t *testing.T) {
	tg := New(Config{}, base)
	var a, b Session
	tg.Command(&a, &captureLink{}, swdbg.Attach{}.Append(nil, f), false)
	tg.Command(&b, &captureLink{}, swdbg.Attach{}.Append(nil, f), false)
	tg.Command(&a, &captureLink{}, swdbg.ExclusiveAccess{Mode: swdbg.ExclusiveRequest}.Append(nil, f), false)
	tg.Detach(&a)
	read := swdbg.Read{EW: swdbg.EWByte, N: 1, Addr: 0x70000000}.Append(nil, f)
	if got := tg.Command(&b, &captureLink{}, read, false); got[0] != xcp.PIDRes {
		t.Fatalf("after the owner detached: % X", got)
	}
	if got := tg.Command(&a, &captureLink{}, read, false); !bytes.Equal(got, []byte{xcp.PIDErr, byte(xcp.ErrDbg), byte(swdbg.ErrAttachMissing)}) {
		t.Fatalf("detached session read: % X", got)
	}
}

// FuzzCommand sends an arbitrary SW-DBG command body to an attached
// session, then DBG_GET_VENDOR_INFO: no panic, each answer a RES or ERR
// within MAX_CTO_DBG (or none), and everything else the target sends an
// EV packet or a leading packet of a slave-block read. sel picks the
// dialect (bit 0: DAP), the CAN command set (bit 1), the block modes
// (bits 2, 3) and the byte order (bit 7). Every input gets a fresh target
// and is driven without connection or goroutine.
func FuzzCommand(f *testing.F) {
	for _, seed := range []string{"00", "02", "05 00", "07 02 00 00 00 00 02 04 00 01", "09 03 01 00 05 00 03 00 01 08 7F 00",
		"0A 02 00 00 1C 03 01 10 1A 07 4B", "0B 00 00 04 00 00 00 00 00 00 00 00 70 00 00 00 FF FF FF FF 12 34 56 78",
		"0C 00 00 04 00 03 00 00 00 00 70 00 00 00 01 02 03 04 05 06 07 08 09 0A 0B 0C", "0D 00 00 02 00 00 01 02 03 04",
		"0E 00 70 00 00 00", "0F 01 04", "10 04 01 02 03 04", "11 00 00 04 00 10 00 00 00 00 70 00 00 00", "12 00 70 00 00 00", "13 04 02"} {
		b, err := hex.DecodeString(strings.ReplaceAll(seed, " ", ""))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(byte(0), b)
		f.Add(byte(3), b)
	}
	f.Fuzz(func(t *testing.T, sel byte, body []byte) {
		cfg := Config{MaxCTODbg: 40, DAP: sel&1 != 0}
		if sel&2 != 0 {
			cfg.MaxCTODbg = 16 // the CAN command set
		}
		tg := New(cfg, Base{Order: xcp.ByteOrder(sel >> 7), SlaveBlock: sel&4 == 0, MasterBlock: sel&8 == 0, MaxBS: 4})
		var ss Session
		link := &captureLink{}
		if r := tg.Command(&ss, link, swdbg.Attach{}.Append(nil, f0), false); len(r) == 0 || r[0] != xcp.PIDRes {
			t.Fatalf("DBG_ATTACH answered % X", r)
		}
		req := append([]byte{byte(xcp.CmdLevel1), byte(xcp.L1SwDbg)}, body...)
		for _, p := range [][]byte{req, swdbg.GetVendorInfo{}.Append(nil, f0)} {
			link.sent = nil
			resp := tg.Command(&ss, link, p, false)
			if len(resp) > 0 && resp[0] != xcp.PIDRes && resp[0] != xcp.PIDErr {
				t.Fatalf("% X answered % X", p, resp)
			}
			if len(resp) > cfg.MaxCTODbg {
				t.Fatalf("% X answered %d bytes, MAX_CTO_DBG %d", p, len(resp), cfg.MaxCTODbg)
			}
			for _, q := range link.sent {
				if len(q) == 0 || (q[0] != xcp.PIDEv && q[0] != xcp.PIDRes) || len(q) > cfg.MaxCTODbg {
					t.Fatalf("% X: sent % X besides the answer", p, q)
				}
			}
		}
	})
}

var f0 = xcp.Format{}
