package sim

import (
	"context"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport/can"
)

// XCP on CAN transport-layer commands (TRANSPORT_LAYER_CMD 0xF2, ASAM
// MCD-1 XCP 1.5 part 3): GET_SLAVE_ID, GET_DAQ_ID and SET_DAQ_ID. They are
// answered when the slave is served over a *can.Conn (Serve with a CAN
// connection); on other transports TRANSPORT_LAYER_CMD is unknown.
//
// GET_SLAVE_ID is also answered before CONNECT (masters send it on the
// broadcast identifier to find slaves on a bus).

// canSession is the XCP-on-CAN state of a session; guarded by slave.mu.
type canSession struct {
	// daqIDs maps DAQ lists to the identifiers set with SET_DAQ_ID. It is
	// replaced, never modified, so the DAQ emitter may read a snapshot.
	daqIDs map[uint16]can.ID
}

// canConn returns the session's CAN connection, or nil.
func (ss *session) canConn() *can.Conn {
	c, _ := ss.conn.(*can.Conn)
	return c
}

// isCANSlaveID reports whether req is GET_SLAVE_ID on a CAN connection.
func (ss *session) isCANSlaveID(req []byte) bool {
	return len(req) >= 2 && xcp.Command(req[0]) == xcp.CmdTransportLayerCmd &&
		req[1] == xcp.CANGetSlaveID && ss.canConn() != nil
}

// canCommands are the XCP on CAN sub-commands of TRANSPORT_LAYER_CMD.
var canCommands = map[uint8]handler{
	xcp.CANGetSlaveID: (*session).canSlaveID,
	xcp.CANGetDaqID:   decoded((*session).getDaqID),
	xcp.CANSetDaqID:   decoded((*session).setDaqID),
}

// transportLayerCmd answers TRANSPORT_LAYER_CMD. s.mu is held.
func (ss *session) transportLayerCmd(req []byte) []byte {
	if ss.canConn() == nil {
		return errPacket(xcp.ErrCmdUnknown)
	}
	if len(req) < 2 {
		return syntax()
	}
	h, ok := canCommands[req[1]]
	if !ok {
		return errPacket(xcp.ErrSubcmdUnknown)
	}
	return h(ss, req)
}

// getDaqID answers GET_DAQ_ID: the identifier of a DAQ list's DTOs.
func (ss *session) getDaqID(c *xcp.GetDaqID) []byte {
	if int(c.List) >= ss.slave.daq.Lists() {
		return errPacket(xcp.ErrOutOfRange)
	}
	id, ok := ss.can.daqIDs[c.List]
	raw := ss.canConn().Config().CanIDSlave
	if ok {
		raw = id.Raw()
	}
	return xcp.GetDaqIDResponse{ID: raw}.Append(ss.out[:0], ss.format())
}

// setDaqID answers SET_DAQ_ID: a DAQ list's DTOs go out on their own
// identifier.
func (ss *session) setDaqID(c *xcp.SetDaqID) []byte {
	if int(c.List) >= ss.slave.daq.Lists() {
		return errPacket(xcp.ErrOutOfRange)
	}
	id, err := can.ParseID(c.ID)
	if err != nil {
		return errPacket(xcp.ErrOutOfRange)
	}
	m := make(map[uint16]can.ID, len(ss.can.daqIDs)+1)
	for k, v := range ss.can.daqIDs {
		m[k] = v
	}
	m[c.List] = id
	ss.can.daqIDs = m
	return ss.ok()
}

// canSlaveID answers GET_SLAVE_ID with the command identifier.
func (ss *session) canSlaveID(req []byte) []byte {
	var c xcp.GetSlaveID
	if c.Decode(req, ss.format()) != nil {
		return errPacket(xcp.ErrOutOfRange)
	}
	return xcp.GetSlaveIDResponse{Inverse: c.Inverse, CmdID: ss.canConn().Config().CanIDMaster}.Append(ss.out[:0], ss.format())
}

// canDaqIDs returns the SET_DAQ_ID assignments and the CAN connection to
// send them on (nil, nil if there are none).
func (ss *session) canDaqIDs() (*can.Conn, map[uint16]can.ID) {
	cc := ss.canConn()
	if cc == nil {
		return nil, nil
	}
	ss.slave.mu.Lock()
	m := ss.can.daqIDs
	ss.slave.mu.Unlock()
	if len(m) == 0 {
		return nil, nil
	}
	return cc, m
}

// sendDTOs sends the DTOs of one flush on the identifiers of their DAQ
// lists (lists[i] is the list of pkts[i]).
func sendDTOsOn(ctx context.Context, cc *can.Conn, ids map[uint16]can.ID, pkts [][]byte, lists []uint16) error {
	for i, p := range pkts {
		var err error
		if id, ok := ids[lists[i]]; ok {
			err = cc.SendOn(ctx, id, p)
		} else {
			err = cc.Send(ctx, p)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
