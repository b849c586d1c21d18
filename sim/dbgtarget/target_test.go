package dbgtarget

import (
	"bytes"
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
