package slaveinfo

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// fakeSession answers commands from a table keyed by the command byte; a
// missing command is answered with ERR_CMD_UNKNOWN.
type fakeSession struct {
	conn xcp.ConnectResponse
	resp map[xcp.Command]func(req []byte) ([]byte, error)
	sent []xcp.Command
}

func (s *fakeSession) ConnectInfo() xcp.ConnectResponse { return s.conn }
func (s *fakeSession) Format() xcp.Format {
	f, _ := s.conn.Format()
	return f
}
func (s *fakeSession) Do(_ context.Context, req []byte) ([]byte, error) {
	c := xcp.Command(req[0])
	s.sent = append(s.sent, c)
	if h, ok := s.resp[c]; ok {
		return h(req)
	}
	return nil, &xcp.Error{Cmd: c, Code: xcp.ErrCmdUnknown}
}

func (s *fakeSession) Upload(ctx context.Context, n int) ([]byte, error) {
	p, err := s.Do(ctx, []byte{byte(xcp.CmdUpload), byte(n)})
	if err != nil {
		return nil, err
	}
	return p[1:], nil
}

func fixed(p ...byte) func([]byte) ([]byte, error) {
	return func([]byte) ([]byte, error) { return p, nil }
}

func minimal() *fakeSession {
	return &fakeSession{
		conn: xcp.ConnectResponse{Resource: xcp.ResCalPag | xcp.ResDaq, CommModeBasic: 0, MaxCTO: 8, MaxDTO: 8, ProtocolVersion: 1, TransportVersion: 1},
		resp: map[xcp.Command]func([]byte) ([]byte, error){
			xcp.CmdGetStatus: fixed(0xFF, 0x00, 0x01, 0x00, 0x00, 0x00),
		},
	}
}

// A slave that implements only the mandatory commands: every optional part
// is reported as not supported, and the report is still complete.
func TestGatherMinimalSlave(t *testing.T) {
	s := minimal()
	r, err := Gather(context.Background(), s, Parts{IDs: true, DAQ: true, PAG: true, PGM: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Version == nil || !strings.Contains(r.Version.NotSupported, "ERR_CMD_UNKNOWN") {
		t.Errorf("version: %+v", r.Version)
	}
	if r.CommMode == nil || !strings.Contains(r.CommMode.NotSupported, "GET_COMM_MODE_INFO answered ERR_CMD_UNKNOWN") {
		t.Errorf("comm mode: %+v", r.CommMode)
	}
	if r.DAQ == nil || !strings.Contains(r.DAQ.NotSupported, "GET_DAQ_PROCESSOR_INFO answered ERR_CMD_UNKNOWN") {
		t.Errorf("daq: %+v", r.DAQ)
	}
	if r.PAG == nil || !strings.Contains(r.PAG.NotSupported, "GET_PAG_PROCESSOR_INFO") {
		t.Errorf("pag: %+v", r.PAG)
	}
	if r.PGM == nil || !strings.Contains(r.PGM.NotSupported, "no PGM resource") {
		t.Errorf("pgm: %+v", r.PGM)
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "GET_ID") {
		t.Errorf("notes: %q", r.Notes)
	}
	if !r.Status.Protection["CAL/PAG"] || r.Status.Protection["DAQ"] {
		t.Errorf("protection: %v", r.Status.Protection)
	}
}

// A timeout in an optional command is not "not supported": it ends info.
func TestGatherTimeoutIsFatal(t *testing.T) {
	s := minimal()
	s.resp[xcp.CmdGetCommModeInfo] = func([]byte) ([]byte, error) {
		return nil, &xcp.TimeoutError{Cmd: xcp.CmdGetCommModeInfo, Attempts: 2}
	}
	_, err := Gather(context.Background(), s, Parts{})
	if !errors.Is(err, xcp.ErrTimeout) {
		t.Fatalf("got %v, want a timeout", err)
	}
}

// Other negative responses are recorded, and info goes on.
func TestGatherRecordsErrors(t *testing.T) {
	s := minimal()
	s.resp[xcp.CmdGetPagProcessorInfo] = func([]byte) ([]byte, error) {
		return nil, &xcp.Error{Cmd: xcp.CmdGetPagProcessorInfo, Code: xcp.ErrAccessLocked}
	}
	s.resp[xcp.CmdGetID] = func(req []byte) ([]byte, error) {
		switch xcp.IDType(req[1]) {
		case xcp.IDASCII: // inline
			return []byte{0xFF, 0x01, 0, 0, 4, 0, 0, 0, 'd', 'e', 'm', 'o'}, nil
		case xcp.IDFilename: // via UPLOAD
			return []byte{0xFF, 0x00, 0, 0, 9, 0, 0, 0}, nil
		}
		return []byte{0xFF, 0x00, 0, 0, 0, 0, 0, 0}, nil
	}
	var uploaded []byte
	name := []byte("sim.a2l\x00\x00\x00\x00\x00")
	s.resp[xcp.CmdUpload] = func(req []byte) ([]byte, error) {
		n := int(req[1])
		if n > 7 {
			t.Errorf("UPLOAD of %d bytes with MAX_CTO 8", n)
		}
		chunk := name[len(uploaded) : len(uploaded)+n]
		uploaded = append(uploaded, chunk...)
		return append([]byte{0xFF}, chunk...), nil
	}
	r, err := Gather(context.Background(), s, Parts{IDs: true, PAG: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Error, "ERR_ACCESS_LOCKED") {
		t.Errorf("errors: %+v", r.Errors)
	}
	if len(r.IDs) != len(idTypes) || r.IDs[0].Value != "demo" || r.IDs[1].Value != "sim.a2l" || r.IDs[2].NotSupported != "not available" {
		t.Errorf("ids: %+v", r.IDs)
	}
	if string(uploaded) != "sim.a2l\x00\x00" {
		t.Errorf("uploaded %q", uploaded)
	}
	if strings.Join(r.Skipped, ",") != "daq,pgm" {
		t.Errorf("skipped: %q", r.Skipped)
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// ReadDAQ: a slave without the optional DAQ commands and without
// GET_DAQ_CLOCK gives a report with the parts missing, not an error; a
// timeout of GET_DAQ_CLOCK is an error.
func TestReadDAQMinimal(t *testing.T) {
	s := minimal()
	r, err := ReadDAQ(context.Background(), s, daq.InfoOptions{Events: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Processor != nil || r.Resolution != nil || len(r.Events) != 0 || r.Clock != nil || r.Sources.Processor != daq.FromNone {
		t.Errorf("report %+v", r)
	}
	s.resp[xcp.CmdGetDaqClock] = func([]byte) ([]byte, error) {
		return nil, &xcp.TimeoutError{Cmd: xcp.CmdGetDaqClock, Attempts: 2}
	}
	if _, err := ReadDAQ(context.Background(), s, daq.InfoOptions{}); !errors.Is(err, xcp.ErrTimeout) || !strings.Contains(err.Error(), "GET_DAQ_CLOCK") {
		t.Errorf("got %v, want a GET_DAQ_CLOCK timeout", err)
	}
}

// TestProtectionJSON: the resources are snake_case keys in JSON and their
// standard names again after reading it back.
func TestProtectionJSON(t *testing.T) {
	p := Protection{"CAL/PAG": true, "DAQ": false, "DBG": true}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"cal_pag":true,"daq":false,"dbg":true}`; got != want {
		t.Errorf("marshal: %s, want %s", got, want)
	}
	var back Protection
	if err := json.Unmarshal(b, &back); err != nil || len(back) != 3 || !back["CAL/PAG"] || back["DAQ"] || !back["DBG"] {
		t.Errorf("round trip: %v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"daq":"yes"}`), &back); err == nil {
		t.Error("a string for a resource: no error")
	}
}
