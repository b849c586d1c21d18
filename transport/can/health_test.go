package can_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/virtual"
)

// Error frames reach the Conn on the virtual bus (whose ports pass them
// through every filter, as SocketCAN does): counted, the controller state
// tracked and logged, bus-off reported once as ErrBusOff, then reading
// goes on; a restart counts as recovery.
func TestHealthFromErrorFrames(t *testing.T) {
	var logs bytes.Buffer
	bus := virtual.New(virtual.Config{Name: "health"})
	ctrl := bus.Open()
	defer ctrl.Close()
	cfg := can.Config{CanIDMaster: 0x101, CanIDSlave: 0x102, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	m, err := can.NewConn(bus.Open(), cfg, can.Master)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	steps := []struct {
		f       can.Frame
		wantErr error
		state   can.BusState
	}{
		{can.ErrorFrame(can.ErrClassProt|can.ErrClassBusError, [8]byte{}), nil, can.StateActive},
		{can.ErrorFrame(can.ErrClassCtrl|can.ErrClassCnt, [8]byte{1: can.ErrCtrlRxWarning, 6: 10, 7: 97}), nil, can.StateWarning},
		{can.ErrorFrame(can.ErrClassCtrl, [8]byte{1: can.ErrCtrlTxPassive}), nil, can.StatePassive},
		{can.ErrorFrame(can.ErrClassBusOff, [8]byte{}), can.ErrBusOff, can.StateBusOff},
		{can.ErrorFrame(can.ErrClassRestarted, [8]byte{}), nil, can.StateActive},
	}
	for i, st := range steps {
		if err := ctrl.Send(ctx, st.f); err != nil {
			t.Fatal(err)
		}
		// A data frame after each error frame: Recv returns it unless the
		// error frame reports bus-off.
		if err := ctrl.Send(ctx, can.Frame{ID: 0x102, Len: 1, Data: [64]byte{byte(i)}}); err != nil {
			t.Fatal(err)
		}
		p, err := m.Recv(ctx)
		if st.wantErr != nil {
			if !errors.Is(err, st.wantErr) {
				t.Fatalf("step %d: Recv error %v, want %v", i, err, st.wantErr)
			}
			p, err = m.Recv(ctx)
		}
		if err != nil || p.Data[0] != byte(i) {
			t.Fatalf("step %d: Recv % X, %v", i, p.Data, err)
		}
		if h := m.Health(); h.State != st.state {
			t.Fatalf("step %d: state %v, want %v", i, h.State, st.state)
		}
	}
	want := can.Health{ErrorFrames: 5, BusErrors: 1, Warning: 1, Passive: 1, BusOff: 1, Restarted: 1, State: can.StateActive, TxErrors: 10, RxErrors: 97}
	if h := m.Health(); h != want {
		t.Fatalf("health %+v, want %+v", h, want)
	}
	if st := m.Stats(); st.ErrorFrames != 5 || st.BusOff != 1 {
		t.Fatalf("stats %+v", st)
	}
	for _, s := range []string{"to=error-warning", "to=error-passive", "bus-off", "to=error-active"} {
		if !strings.Contains(logs.String(), s) {
			t.Errorf("log lacks %q:\n%s", s, logs.String())
		}
	}
}

func TestErrorFrameValidateAndString(t *testing.T) {
	f := can.ErrorFrame(can.ErrClassCtrl|can.ErrClassBusError, [8]byte{1: can.ErrCtrlRxPassive})
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := f.String(); got != "ERR 084 (bus-error, controller: rx-passive)#0010000000000000" {
		t.Fatalf("String = %q", got)
	}
	bad := f
	bad.Len = 4
	if bad.Validate() == nil {
		t.Fatal("error frame with 4 bytes accepted")
	}
}
