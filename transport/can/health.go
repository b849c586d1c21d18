package can

import (
	"errors"
	"fmt"
	"strings"
)

// Error frames. A CAN controller (through SocketCAN: CAN_ERR_FLAG frames)
// reports bus errors and state changes as error frames: Frame.Error is
// set, Frame.ID holds the error class bits below and Data[0..7] the
// details, laid out as in Linux's <linux/can/error.h>. Conn counts them,
// logs them, tracks the controller state, and reports bus-off to its
// reader as an error matching ErrBusOff.
const (
	ErrClassTxTimeout = 0x001 // TX timeout (by netdevice driver)
	ErrClassLostArb   = 0x002 // lost arbitration; Data[0] = bit number
	ErrClassCtrl      = 0x004 // controller problems; Data[1] = ErrCtrl* bits
	ErrClassProt      = 0x008 // protocol violation; Data[2] type, Data[3] location
	ErrClassTrx       = 0x010 // transceiver status; Data[4]
	ErrClassAck       = 0x020 // no ACK received on transmission
	ErrClassBusOff    = 0x040 // bus off
	ErrClassBusError  = 0x080 // bus error (may flood)
	ErrClassRestarted = 0x100 // controller restarted (left bus-off)
	ErrClassCnt       = 0x200 // TX/RX error counters in Data[6], Data[7]
)

// Controller status bits of Data[1] (ErrClassCtrl).
const (
	ErrCtrlRxOverflow = 0x01 // RX buffer overflow
	ErrCtrlTxOverflow = 0x02 // TX buffer overflow
	ErrCtrlRxWarning  = 0x04 // reached warning level for RX errors
	ErrCtrlTxWarning  = 0x08 // reached warning level for TX errors
	ErrCtrlRxPassive  = 0x10 // reached error passive status RX
	ErrCtrlTxPassive  = 0x20 // reached error passive status TX
	ErrCtrlActive     = 0x40 // recovered to error active state
)

// ErrBusOff is matched (errors.Is) by the error Conn.Recv returns when the
// controller reports bus-off: the node has left the bus and no frame goes
// out or comes in until it is restarted (SocketCAN: restart-ms, or
// `ip link set can0 type can restart`). Further Recv calls go on reading.
var ErrBusOff = errors.New("can: bus off")

// BusState is the fault confinement state of the CAN controller.
type BusState uint8

// Controller states (ISO 11898-1 fault confinement).
const (
	StateActive  BusState = iota // error active: normal operation
	StateWarning                 // an error counter reached the warning level (96)
	StatePassive                 // error passive: an error counter passed 127
	StateBusOff                  // bus off: the transmit error counter passed 255
)

func (s BusState) String() string {
	switch s {
	case StateActive:
		return "error-active"
	case StateWarning:
		return "error-warning"
	case StatePassive:
		return "error-passive"
	case StateBusOff:
		return "bus-off"
	}
	return fmt.Sprintf("BusState(%d)", uint8(s))
}

// Health counts what the bus reported through error frames.
type Health struct {
	// ErrorFrames counts every error frame received.
	ErrorFrames uint64
	// BusErrors counts protocol errors, missing ACKs, lost arbitration,
	// transceiver and controller problems other than state changes.
	BusErrors uint64
	// Warning, Passive and BusOff count entries into those states;
	// Restarted counts recoveries from bus-off.
	Warning   uint64
	Passive   uint64
	BusOff    uint64
	Restarted uint64
	// State is the controller state after the last error frame.
	State BusState
	// TxErrors and RxErrors are the last error counters reported.
	TxErrors uint8
	RxErrors uint8
}

// ErrorFrame builds an error frame with the given class bits and details
// (what a controller reports; tests use it to inject errors on a virtual
// bus).
func ErrorFrame(class uint32, data [8]byte) Frame {
	f := Frame{ID: class, Extended: true, Error: true, Len: 8}
	copy(f.Data[:], data[:])
	return f
}

// ErrorState returns the controller state an error frame reports, and
// whether it reports one.
func ErrorState(f Frame) (BusState, bool) {
	if !f.Error {
		return 0, false
	}
	switch {
	case f.ID&ErrClassBusOff != 0:
		return StateBusOff, true
	case f.ID&ErrClassRestarted != 0:
		return StateActive, true
	case f.ID&ErrClassCtrl != 0:
		c := f.Data[1]
		switch {
		case c&(ErrCtrlRxPassive|ErrCtrlTxPassive) != 0:
			return StatePassive, true
		case c&(ErrCtrlRxWarning|ErrCtrlTxWarning) != 0:
			return StateWarning, true
		case c&ErrCtrlActive != 0:
			return StateActive, true
		}
	}
	return 0, false
}

// DescribeError names the classes of an error frame ("bus-error,
// protocol violation", "bus-off", "controller: rx-passive").
func DescribeError(f Frame) string {
	var parts []string
	for _, c := range []struct {
		bit  uint32
		name string
	}{{ErrClassTxTimeout, "tx-timeout"}, {ErrClassLostArb, "lost-arbitration"}, {ErrClassProt, "protocol-violation"},
		{ErrClassTrx, "transceiver"}, {ErrClassAck, "no-ack"}, {ErrClassBusOff, "bus-off"},
		{ErrClassBusError, "bus-error"}, {ErrClassRestarted, "restarted"}} {
		if f.ID&c.bit != 0 {
			parts = append(parts, c.name)
		}
	}
	if f.ID&ErrClassCtrl != 0 {
		var cs []string
		for _, c := range []struct {
			bit  byte
			name string
		}{{ErrCtrlRxOverflow, "rx-overflow"}, {ErrCtrlTxOverflow, "tx-overflow"}, {ErrCtrlRxWarning, "rx-warning"},
			{ErrCtrlTxWarning, "tx-warning"}, {ErrCtrlRxPassive, "rx-passive"}, {ErrCtrlTxPassive, "tx-passive"}, {ErrCtrlActive, "active"}} {
			if f.Data[1]&c.bit != 0 {
				cs = append(cs, c.name)
			}
		}
		parts = append(parts, "controller: "+strings.Join(cs, "+"))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("error class 0x%X", f.ID)
	}
	return strings.Join(parts, ", ")
}

// update folds one error frame into h; it returns whether the state
// changed.
func (h *Health) update(f Frame) (changed bool) {
	h.ErrorFrames++
	if f.ID&(ErrClassTxTimeout|ErrClassLostArb|ErrClassProt|ErrClassTrx|ErrClassAck|ErrClassBusError) != 0 ||
		(f.ID&ErrClassCtrl != 0 && f.Data[1]&(ErrCtrlRxOverflow|ErrCtrlTxOverflow) != 0) {
		h.BusErrors++
	}
	if f.ID&ErrClassCnt != 0 {
		h.TxErrors, h.RxErrors = f.Data[6], f.Data[7]
	}
	st, ok := ErrorState(f)
	if !ok || st == h.State {
		return false
	}
	switch st {
	case StateWarning:
		h.Warning++
	case StatePassive:
		h.Passive++
	case StateBusOff:
		h.BusOff++
	case StateActive:
		if f.ID&ErrClassRestarted != 0 || h.State == StateBusOff {
			h.Restarted++
		}
	}
	h.State = st
	return true
}
