package sim

import (
	"context"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim/daqengine"
)

// The DAQ part of the slave is the engine of package sim/daqengine. This
// file connects it: the slave's memory is its daqengine.Memory, the
// session of a DAQ command its daqengine.Link.

// DAQ configuration and counters (see package daqengine).
type (
	DAQConfig      = daqengine.Config
	EventConfig    = daqengine.EventConfig
	PredefinedList = daqengine.PredefinedList
	DAQStats       = daqengine.Stats
	StimStats      = daqengine.StimStats
)

// DefaultEvents returns the default event channels: "1ms", "10ms",
// "100ms" and the free-running "max".
func DefaultEvents() []EventConfig { return daqengine.DefaultEvents() }

// daqCommand answers a DAQ command (XCP 1.5 part 2, DAQ group) after the
// DAQ protection check. Commands that stop event channels wait, after
// releasing s.mu, until their goroutines have sent their last DTO, so
// nothing of a stopped list arrives after the response.
func (ss *session) daqCommand(req []byte) []byte {
	s := ss.slave
	s.mu.Lock()
	if err := ss.checkProtection(xcp.ResDaq); err != nil {
		s.mu.Unlock()
		return errPacket(codeOf(err))
	}
	resp, stopped := s.daq.Command((*daqLink)(ss), req, ss.out)
	s.mu.Unlock()
	stopped.Wait()
	return resp
}

// stimDTO hands a STIM DTO from the master to the DAQ engine.
func (ss *session) stimDTO(p []byte) {
	s := ss.slave
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss.connected {
		s.daq.Stim(p)
	}
}

// daqMemory is the slave's memory map as the DAQ engine's Memory, guarded
// by Slave.mu.
type daqMemory struct{ s *Slave }

func (m daqMemory) Lock()                   { m.s.mu.Lock() }
func (m daqMemory) Unlock()                 { m.s.mu.Unlock() }
func (m daqMemory) Now() time.Duration      { return m.s.now() }
func (m daqMemory) Refresh(t time.Duration) { m.s.updateVarsLocked(t) }

func (m daqMemory) Span(addr uint32, ext uint8, n int, write bool) ([]byte, error) {
	b, _, err := m.s.span(addr, ext, n, write)
	return b, err
}

// daqLink is a session as the DAQ engine's Link.
type daqLink session

// batchSender is implemented by transports that send several packets at
// once (XCP on Ethernet: several packets in one TCP segment or datagram).
type batchSender interface {
	SendBatch(ctx context.Context, packets [][]byte) error
}

func (l *daqLink) SendDTOs(ctx context.Context, pkts [][]byte, lists []uint16) error {
	ss := (*session)(l)
	if cc, ids := ss.canDaqIDs(); ids != nil {
		return sendDTOsOn(ctx, cc, ids, pkts, lists)
	}
	if bs, ok := ss.conn.(batchSender); ok {
		return bs.SendBatch(ctx, pkts)
	}
	for _, p := range pkts {
		if err := ss.conn.Send(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

func (l *daqLink) SendEvent(p []byte) error       { return (*session)(l).send(p) }
func (l *daqLink) Go(f func(ctx context.Context)) { (*session)(l).spawn(f) }

func (l *daqLink) SetInfo(b []byte) {
	ss := (*session)(l)
	ss.slave.setInfo(b)
	ss.mta, ss.mtaExt = InfoBase, 0
}

// DropDTOs makes the slave drop the next n DTOs it would send (a fault
// switch to test loss detection). Dropped DTOs are counted in DAQStats.
func (s *Slave) DropDTOs(n int) { s.daq.DropDTOs(n) }

// OverloadDTOs makes the slave indicate an overload on the next n DTOs: by
// setting the PID's MSB, or with EV_DAQ_OVERLOAD if DAQConfig.OverloadEvent.
func (s *Slave) OverloadDTOs(n int) { s.daq.OverloadDTOs(n) }

// DAQStats returns the DAQ counters.
func (s *Slave) DAQStats() DAQStats { return s.daq.Stats() }

// StimStats returns the STIM counters.
func (s *Slave) StimStats() StimStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.daq.StimStats()
}
