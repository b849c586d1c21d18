package sim

import (
	"context"
	"errors"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// evPacket encodes an EV packet.
func evPacket(code xcp.EventCode, data []byte, f xcp.Format) []byte {
	return xcp.Event{Code: code, Data: data}.Append(nil, f)
}

// servPacket encodes a SERV packet.
func servPacket(code xcp.ServCode, data []byte, f xcp.Format) []byte {
	return xcp.ServiceRequest{Code: code, Data: data}.Append(nil, f)
}

// servText splits text into SERV_TEXT packets of at most MAX_CTO bytes.
// An empty text is one packet without text.
func servText(text string, f xcp.Format) [][]byte {
	chunk := f.CTO() - 2
	var out [][]byte
	for {
		n := min(chunk, len(text))
		out = append(out, servPacket(xcp.ServText, []byte(text[:n]), f))
		text = text[n:]
		if text == "" {
			return out
		}
	}
}

// ErrNoSession is returned by the methods that send to the master when no
// master is connected.
var ErrNoSession = errors.New("sim: no master connected")

// activeSession returns the session holding the XCP connection.
func (s *Slave) activeSession() (*session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active == nil || !s.active.connected {
		return nil, ErrNoSession
	}
	return s.active, nil
}

// ServText sends text to the connected master as SERV_TEXT service
// requests (split into packets of at most MAX_CTO bytes). Sending stops
// when ctx is done or the session ends.
func (s *Slave) ServText(ctx context.Context, text string) error {
	ss, err := s.activeSession()
	if err != nil {
		return err
	}
	for _, p := range servText(text, ss.format()) {
		if err := ss.sendCtx(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// ServReset sends SERV_RESET (the slave asks the master to reset it).
func (s *Slave) ServReset(ctx context.Context) error {
	ss, err := s.activeSession()
	if err != nil {
		return err
	}
	return ss.sendCtx(ctx, servPacket(xcp.ServReset, nil, ss.format()))
}

// Event sends an EV packet with the given code and data to the connected
// master.
func (s *Slave) Event(ctx context.Context, code xcp.EventCode, data []byte) error {
	ss, err := s.activeSession()
	if err != nil {
		return err
	}
	if 2+len(data) > ss.format().CTO() {
		return errors.New("sim: event data exceeds MAX_CTO")
	}
	return ss.sendCtx(ctx, evPacket(code, data, ss.format()))
}

// sendCtx sends p on the session's connection until ctx or the session
// ends, whichever comes first.
func (ss *session) sendCtx(ctx context.Context, p []byte) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ss.ctx, cancel)
	defer stop()
	return ss.conn.Send(ctx, p)
}
