// Package sim is goxcp's built-in XCP slave: a simulated ECU with memory,
// calibration pages, seed & key protection, DAQ and SW-DBG, served over any
// transport.Conn. It is built on the same protocol package as the master
// (goxcp/xcp) but never imports the master, so master↔simulator tests are a
// real cross-check of both sides.
package sim

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"

	"goxcp/transport"
	"goxcp/xcp"
)

// Slave is a simulated ECU. Its state (memory, pages, protection, DAQ) is
// shared by every connection served; XCP allows one master at a time, so a
// new CONNECT takes the session over.
type Slave struct {
	cfg Config
	log *slog.Logger

	mu sync.Mutex // guards the slave state below
	// (fields added by the std, cal, pag, daq and dbg parts)
}

// Config configures a Slave. The zero value is a usable default slave
// (Intel, BYTE granularity, MAX_CTO 255, MAX_DTO 1024 …, see each field).
type Config struct {
	Order  xcp.ByteOrder
	AG     xcp.Granularity // 0 = BYTE
	MaxCTO int             // 0 = 255
	MaxDTO int             // 0 = 1024
	Logger *slog.Logger    // nil = silent
}

// New returns a slave with the given configuration.
func New(cfg Config) *Slave {
	if cfg.AG == 0 {
		cfg.AG = xcp.Byte
	}
	if cfg.MaxCTO == 0 {
		cfg.MaxCTO = 255
	}
	if cfg.MaxDTO == 0 {
		cfg.MaxDTO = 1024
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Slave{cfg: cfg, log: log}
}

// Serve answers the master on conn until ctx is done or the connection
// fails. It closes conn before returning. A closed connection ends Serve
// with a nil error.
func (s *Slave) Serve(ctx context.Context, conn transport.Conn) error {
	defer conn.Close()
	ss := &session{slave: s, conn: conn, ctx: ctx}
	for {
		p, err := conn.Recv(ctx)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || ctx.Err() != nil {
				return nil
			}
			return err
		}
		if len(p.Data) == 0 {
			continue
		}
		if err := ss.handle(p.Data); err != nil {
			return err
		}
	}
}

// session is the state of one connection.
type session struct {
	slave *Slave
	conn  transport.Conn
	ctx   context.Context
	out   []byte
}

// handle dispatches one command packet by its group.
func (ss *session) handle(req []byte) error {
	cmd := xcp.Command(req[0])
	var resp []byte
	switch {
	case cmd == xcp.CmdLevel1 && len(req) > 1 && xcp.Level1(req[1]) == xcp.L1SwDbg:
		resp = ss.dbgCommand(req)
	case isDaqCommand(cmd) || (cmd == xcp.CmdLevel1 && len(req) > 1 &&
		(xcp.Level1(req[1]) == xcp.L1SetDaqPackedMode || xcp.Level1(req[1]) == xcp.L1GetDaqPackedMode)):
		resp = ss.daqCommand(req)
	default:
		resp = ss.stdCommand(req)
	}
	if resp == nil {
		return nil // no answer (block-mode intermediate packet, or a fault)
	}
	return ss.send(resp)
}

// send transmits one packet to the master.
func (ss *session) send(p []byte) error {
	return ss.conn.Send(ss.ctx, p)
}

// errPacket returns an ERR packet with the given code.
func errPacket(code xcp.ErrorCode) []byte { return []byte{xcp.PIDErr, byte(code)} }

func isDaqCommand(c xcp.Command) bool {
	return (c >= xcp.CmdAllocOdtEntry && c <= xcp.CmdClearDaqList) ||
		c == xcp.CmdWriteDaqMultiple || c == xcp.CmdDtoCtrProperties || c == xcp.CmdTimeCorrelationProps
}
