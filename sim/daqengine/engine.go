// Package daqengine is the DAQ processor of goxcp's simulated slave
// (package sim), after ASAM MCD-1 XCP 1.5 part 2, "data acquisition and
// stimulation": DAQ lists with their ODTs and entries (dynamic, static or
// predefined), event channels that sample the slave's memory into DTOs,
// STIM lists that write received DTOs back, and the DAQ commands
// (ALLOC_*, WRITE_DAQ, SET_DAQ_LIST_MODE, START_STOP_* …).
//
// The engine knows nothing of sessions, seed & key or transports. The
// slave it runs in gives it its memory through Memory and, per command,
// the master's connection through Link; the engine's state is guarded by
// the Memory's lock, which the slave holds around Command, Stim, Reset and
// the other methods documented so.
package daqengine

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Memory is the slave memory the engine samples (DAQ) and writes (STIM).
type Memory interface {
	// Lock and Unlock guard the memory and the engine's state.
	sync.Locker
	// Now returns the slave time, the time base of DAQ timestamps. It is
	// safe to call without the lock.
	Now() time.Duration
	// Refresh recomputes the time-varying memory (the simulated ECU's
	// variables) for slave time t, so that a sample taken at an event is
	// current. The lock is held.
	Refresh(t time.Duration)
	// Span returns the bytes [addr, addr+n) of the memory map as the XCP
	// master sees it, or an xcp.ErrorCode (ERR_ACCESS_DENIED where nothing
	// is mapped, ERR_WRITE_PROTECTED for write on a read-only area). The
	// lock is held.
	Span(addr uint32, ext uint8, n int, write bool) ([]byte, error)
}

// Link is the connection of the master whose DAQ command is answered:
// lists started by the command run on it.
type Link interface {
	// SendDTOs sends DTOs to the master; lists[i] is the DAQ list of
	// pkts[i] (XCP on CAN sends lists on their own identifiers). It is
	// called from the event channels' goroutines, without the lock.
	SendDTOs(ctx context.Context, pkts [][]byte, lists []uint16) error
	// SendEvent sends an EV packet (EV_DAQ_OVERLOAD, EV_STIM_TIMEOUT)
	// from any goroutine, without the lock.
	SendEvent(p []byte) error
	// Go runs f on a goroutine bound to the connection: ctx is cancelled
	// when the connection ends and the connection waits for f to return.
	// The engine runs each event channel this way.
	Go(f func(ctx context.Context))
	// SetInfo places b in the slave's INFO area and points the master's
	// MTA at it, for an UPLOAD (GET_DAQ_EVENT_INFO: the event name). The
	// lock is held.
	SetInfo(b []byte)
}

// Engine is the DAQ processor of one slave. Methods documented "lock
// held" must be called with the Memory's lock held; the others are safe
// for concurrent use.
type Engine struct {
	mem Memory
	f   xcp.Format // the slave's byte order, AG, MAX_CTO and MAX_DTO
	cfg Config

	// Guarded by the Memory's lock:
	lists   []list
	alloc   allocStep
	ptr     daqPtr
	runners map[uint16]*runner // running event channels by event number
	stim    StimStats

	// Fault switches and counters (atomic).
	drop                                atomic.Int64 // DTOs still to drop
	overload                            atomic.Int64 // DTOs still to flag as overloaded
	nDTO, nDropped, nOverload, nSamples atomic.Uint64
}

// allocStep is the position in the allocation sequence of dynamic DAQ.
type allocStep uint8

const (
	allocNone    allocStep = iota // no FREE_DAQ yet: ALLOC_DAQ is out of sequence
	allocDaq                      // FREE_DAQ done: ALLOC_DAQ next
	allocOdt                      // ALLOC_DAQ done: ALLOC_ODT next
	allocEntries                  // ALLOC_ODT_ENTRY done
)

// odt is one ODT on the slave.
type odt struct {
	entries []xcp.DaqElement
}

// list is one DAQ list on the slave.
type list struct {
	odts      []odt
	mode      xcp.DaqListMode // SET_DAQ_LIST_MODE bits
	modeSet   bool
	event     uint16
	prescaler uint8
	priority  uint8
	selected  bool
	running   bool
	predef    bool
	fixed     *uint16 // fixed event
	firstPID  uint8
	count     uint32 // event cycles seen (prescaler)
	stim      stimState
}

type daqPtr struct {
	valid      bool
	list       uint16
	odt, entry int
}

// Stats counts what the DAQ engine sent.
type Stats struct {
	DTOs       uint64 // DTOs sent (handed to the transport, counted before they leave)
	Dropped    uint64 // DTOs dropped by the DropDTOs fault switch
	Overloaded uint64 // DTOs flagged as overloaded (or EV_DAQ_OVERLOAD sent)
	Samples    uint64 // DAQ list samples taken
}

// New returns the DAQ engine of a slave with packet format f (byte order,
// AG, MAX_CTO, MAX_DTO) and memory mem. It fills in the defaults of cfg
// (see Config) and returns an error matching ErrConfig that names a bad
// field.
func New(cfg Config, f xcp.Format, mem Memory) (*Engine, error) {
	if err := cfg.setDefaults(f); err != nil {
		return nil, err
	}
	e := &Engine{mem: mem, f: f, cfg: cfg, runners: map[uint16]*runner{}}
	e.lists = e.predefinedLists()
	if cfg.Static {
		for range cfg.StaticLists {
			l := list{odts: make([]odt, cfg.StaticODTs)}
			for j := range l.odts {
				l.odts[j].entries = make([]xcp.DaqElement, cfg.StaticEntries)
			}
			e.lists = append(e.lists, l)
		}
	}
	e.assignPIDs()
	return e, nil
}

// Config returns the configuration with defaults filled in.
func (e *Engine) Config() Config { return e.cfg }

// predefinedLists returns fresh copies of the predefined lists.
func (e *Engine) predefinedLists() []list {
	var ls []list
	for _, p := range e.cfg.Predefined {
		l := list{predef: true, fixed: p.FixedEvent}
		if p.FixedEvent != nil {
			l.event = *p.FixedEvent
		}
		for _, o := range p.ODTs {
			l.odts = append(l.odts, odt{entries: append([]xcp.DaqElement(nil), o...)})
		}
		ls = append(ls, l)
	}
	return ls
}

// minDaq is the number of predefined lists.
func (e *Engine) minDaq() int { return len(e.cfg.Predefined) }

// Reset stops every DAQ list and unselects them (CONNECT, DISCONNECT,
// the end of a connection). It does not wait for the event channels'
// last DTOs. Lock held.
func (e *Engine) Reset() {
	e.stopRunners(func(*list) bool { return true })
	for i := range e.lists {
		l := &e.lists[i]
		l.running, l.selected = false, false
	}
}

// Running reports whether any DAQ list is running (GET_STATUS
// DAQ_RUNNING; PROGRAM_START fails with ERR_DAQ_ACTIVE). Lock held.
func (e *Engine) Running() bool {
	for i := range e.lists {
		if e.lists[i].running {
			return true
		}
	}
	return false
}

// Lists returns the number of DAQ lists (predefined, static or
// allocated). Lock held.
func (e *Engine) Lists() int { return len(e.lists) }

// DropDTOs makes the engine drop the next n DTOs it would send (a fault
// switch to test loss detection). Dropped DTOs are counted in Stats.
func (e *Engine) DropDTOs(n int) { e.drop.Store(int64(max(0, n))) }

// OverloadDTOs makes the engine indicate an overload on the next n DTOs:
// by setting the PID's MSB, or with EV_DAQ_OVERLOAD if
// Config.OverloadEvent.
func (e *Engine) OverloadDTOs(n int) { e.overload.Store(int64(max(0, n))) }

// Stats returns the DAQ counters.
func (e *Engine) Stats() Stats {
	return Stats{DTOs: e.nDTO.Load(), Dropped: e.nDropped.Load(), Overloaded: e.nOverload.Load(), Samples: e.nSamples.Load()}
}

// StimStats returns the STIM counters. Lock held.
func (e *Engine) StimStats() StimStats { return e.stim }

// ticks converts slave time to DAQ timestamp ticks.
func (e *Engine) ticks(t time.Duration) uint64 {
	c := &e.cfg
	ps := c.TimestampUnit.Picoseconds() * uint64(c.TimestampTicks)
	return uint64(t.Nanoseconds()) * 1000 / ps
}

// event encodes an EV packet.
func (e *Engine) event(code xcp.EventCode, data []byte) []byte {
	return xcp.Event{Code: code, Data: data}.Append(nil, e.f)
}
