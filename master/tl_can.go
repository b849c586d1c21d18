package master

import (
	"context"
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// XCP-on-CAN transport-layer commands (TRANSPORT_LAYER_CMD 0xF2). They are
// sent on the connection's command identifier; scanning a bus with
// GET_SLAVE_ID on the broadcast identifier is done below the master (see
// package goxcp/transport/can, DetectSlaves).

// receiveIDAdder is implemented by connections that filter by identifier
// (a *can.Conn): DTOs on identifiers learnt with GET_DAQ_ID/SET_DAQ_ID must
// be let through.
type receiveIDAdder interface {
	AddReceiveIDs(ids ...uint32) error
}

// GetSlaveID sends GET_SLAVE_ID (echo mode, or the confirmation by inverse
// echo) and returns the slave's command (CMD/STIM) identifier.
func (m *Master) GetSlaveID(ctx context.Context, inverse bool) (xcp.GetSlaveIDResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var r xcp.GetSlaveIDResponse
	err := m.query(ctx, "GET_SLAVE_ID", xcp.GetSlaveID{Inverse: inverse}.Append(m.req[:0], m.format), &r)
	if err == nil && r.Inverse != inverse {
		err = fmt.Errorf("master: GET_SLAVE_ID: answer is in the other echo mode: %w", xcp.ErrMalformed)
	}
	return r, err
}

// GetDaqID returns the CAN identifier of the DTOs of DAQ list list and
// whether it is fixed. The identifier is added to the connection's receive
// filter (if it has one), so DTOs on it are not lost.
func (m *Master) GetDaqID(ctx context.Context, list uint16) (xcp.GetDaqIDResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var r xcp.GetDaqIDResponse
	if err := m.query(ctx, "GET_DAQ_ID", xcp.GetDaqID{List: list}.Append(m.req[:0], m.format), &r); err != nil {
		return r, err
	}
	return r, m.addReceiveID("GET_DAQ_ID", r.ID)
}

// SetDaqID asks the slave to send the DTOs of DAQ list list on the CAN
// identifier id (bit-31 convention for extended identifiers); the
// identifier is added to the connection's receive filter first.
func (m *Master) SetDaqID(ctx context.Context, list uint16, id uint32) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.addReceiveID("SET_DAQ_ID", id); err != nil {
		return err
	}
	return m.simple(ctx, "SET_DAQ_ID", xcp.SetDaqID{List: list, ID: id}.Append(m.req[:0], m.format))
}

func (m *Master) addReceiveID(op string, id uint32) error {
	a, ok := m.conn.(receiveIDAdder)
	if !ok {
		return nil
	}
	if err := a.AddReceiveIDs(id); err != nil {
		return opErr(op, err)
	}
	return nil
}
