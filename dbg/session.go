// Package dbg is the debug XCP master of ASAM MCD-1 XCP "Software
// Debugging over XCP" 1.0 on top of a master.Master: DBG_ATTACH and the
// information commands, target memory access that picks DBG_READ/DBG_WRITE
// (MAX_CTO_DBG ≥ 32) or the CAN sequences (MAX_CTO_DBG < 32) with
// chunking, alignment and both block modes, read-modify-write, HW-IO pins,
// JPL sequences, low level telegrams, the error handling of table 57 with
// bounded retries, and the SW-DBG events with service-level tracking.
//
// The wire format lives in goxcp/xcp/swdbg; this package does the I/O.
package dbg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// Config configures a Session. The zero value is usable.
type Config struct {
	// Logger receives the session's logs (nil = the master's logger).
	Logger *slog.Logger
	// MaxRetries bounds every "repeat ∞ times" of table 57 (0 = 5).
	MaxRetries int
	// Block overrides the block-mode detection (nil: slave block mode from
	// CONNECT, master block mode, MAX_BS and MIN_ST from
	// GET_COMM_MODE_INFO).
	Block *BlockMode
	// TargetWait bounds how long an access waits for a target that is
	// temporarily not accessible (Vref low, reset asserted) before it gives
	// up (0 = 5 s).
	TargetWait time.Duration
	// TCK is the JTAG/DAP clock assumed when estimating the duration of a
	// JPL sequence or an LLT at service level 4 (0 = 10 MHz).
	TCK float64
	// AccessRate is the target-interface throughput in bytes per second
	// assumed when estimating a memory access at service level 4
	// (0 = 4 MB/s).
	AccessRate float64
}

// BlockMode describes the block transfer modes the slave supports.
type BlockMode struct {
	Slave  bool          // DBG_READ(_CAN2) may answer with several packets
	Master bool          // DBG_WRITE_NEXT / several DBG_WRITE_CAN_NEXT
	MaxBS  int           // packets per master block
	MinST  time.Duration // separation time between master-block packets
}

// Budget is the longest native target access the standard allows at
// service level 4.
const Budget = 100 * time.Microsecond

// Session is an attached debug session. It is safe for concurrent use;
// operations are serialised (SW-DBG command sequences must not interleave).
type Session struct {
	m   *master.Master
	cfg Config
	log *slog.Logger

	mu       sync.Mutex // serialises operations; guards the fields below
	f        xcp.Format
	info     swdbg.AttachResponse
	mode     swdbg.GetModeInfoResponse
	t1, t7   time.Duration
	block    BlockMode
	unusable map[swdbg.Command]bool
	pins     []swdbg.PinInfo // nil until read
	stats    Stats

	evMu   sync.Mutex
	level  swdbg.ServiceLevel
	subs   map[chan swdbg.Event]struct{}
	stop   func()
	evDone chan struct{}
}

// Stats counts the error handling the session performed.
type Stats struct {
	Synchs, BusyWaits, Reattaches, Restarts, TargetWaits, Repeats int
	BudgetWarnings                                                int
}

// Attach sends DBG_ATTACH (unlocking the DBG resource if the slave asks
// for it) and DBG_GET_MODE_INFO, adopts MAX_CTO_DBG, t1 and t7, detects the
// block modes and starts tracking the SW-DBG events. The master must be
// connected. Close the session to stop the event tracking.
func Attach(ctx context.Context, m *master.Master, cfg Config) (*Session, error) {
	if !m.Connected() {
		return nil, fmt.Errorf("dbg: attach: %w", master.ErrNotConnected)
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 5
	}
	if cfg.TargetWait <= 0 {
		cfg.TargetWait = 5 * time.Second
	}
	if cfg.TCK <= 0 {
		cfg.TCK = 10e6
	}
	if cfg.AccessRate <= 0 {
		cfg.AccessRate = 4e6
	}
	log := cfg.Logger
	if log == nil {
		log = m.Logger()
	}
	s := &Session{m: m, cfg: cfg, log: log, f: m.Format(), unusable: map[swdbg.Command]bool{},
		t1: m.Timeouts().T1, t7: m.Timeouts().T7, subs: map[chan swdbg.Event]struct{}{}, evDone: make(chan struct{})}
	ch, stop := m.Subscribe(64)
	s.stop = stop
	go s.events(ch)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.attach(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.detectBlock(ctx); err != nil {
		s.Close()
		return nil, err
	}
	p, err := s.exec(ctx, swdbg.CmdGetModeInfo, swdbg.GetModeInfo{}.Append(nil, s.f))
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("dbg: %w", err)
	}
	if err := s.mode.Decode(p, s.f); err != nil {
		s.Close()
		return nil, fmt.Errorf("dbg: DBG_GET_MODE_INFO: %w", err)
	}
	s.setLevel(s.mode.ServiceLevel)
	s.log.Info("sw-dbg attached", "version", fmt.Sprintf("%d.%d", s.info.Major, s.info.Minor),
		"max_cto_dbg", s.info.MaxCTODbg, "t1", s.t1, "t7", s.t7, "dialect", s.mode.Dialect.String(),
		"service_level", s.mode.ServiceLevel.Level(), "slave_block", s.block.Slave, "master_block", s.block.Master)
	return s, nil
}

// attach runs DBG_ATTACH (unlocking DBG if the slave asks, table 57).
// Callers hold s.mu.
func (s *Session) attach(ctx context.Context) error {
	p, err := s.exec(ctx, swdbg.CmdAttach, swdbg.Attach{}.Append(nil, s.f))
	if err != nil {
		return fmt.Errorf("dbg: %w", err)
	}
	if err := s.info.Decode(p, s.f); err != nil {
		return fmt.Errorf("dbg: DBG_ATTACH: %w", err)
	}
	if s.info.T1 > 0 {
		s.t1 = s.info.T1Duration()
	}
	if s.info.T7 > 0 {
		s.t7 = s.info.T7Duration()
	}
	return nil
}

func (s *Session) detectBlock(ctx context.Context) error {
	if s.cfg.Block != nil {
		s.block = *s.cfg.Block
	} else {
		s.block.Slave = s.m.ConnectInfo().SlaveBlockMode()
		p, err := s.m.DoWith(ctx, xcp.GetCommModeInfo{}.Append(nil, s.f), master.CallOptions{})
		var r xcp.GetCommModeInfoResponse
		switch {
		case err == nil && r.Decode(p, s.f) == nil:
			s.block.Master = r.MasterBlockMode()
			s.block.MaxBS = int(r.MaxBS)
			s.block.MinST = r.MinSeparation()
		case err != nil && !errors.Is(err, xcp.ErrCmdUnknown):
			return fmt.Errorf("dbg: GET_COMM_MODE_INFO: %w", err)
		}
	}
	if s.block.MaxBS < 2 {
		s.block.Master = false
	}
	return nil
}

// Close stops the event tracking. It does not talk to the slave.
func (s *Session) Close() {
	s.evMu.Lock()
	stop := s.stop
	s.stop = nil
	s.evMu.Unlock()
	if stop != nil {
		stop()
		<-s.evDone
	}
}

// Info returns the DBG_ATTACH response.
func (s *Session) Info() swdbg.AttachResponse { s.mu.Lock(); defer s.mu.Unlock(); return s.info }

// Mode returns the DBG_GET_MODE_INFO response read at attach (with the
// service level kept current by the events).
func (s *Session) Mode() swdbg.GetModeInfoResponse {
	s.mu.Lock()
	m := s.mode
	s.mu.Unlock()
	m.ServiceLevel = s.ServiceLevel()
	return m
}

// MaxCTODbg returns MAX_CTO_DBG.
func (s *Session) MaxCTODbg() int { s.mu.Lock(); defer s.mu.Unlock(); return int(s.info.MaxCTODbg) }

// Block returns the block modes in use.
func (s *Session) Block() BlockMode { s.mu.Lock(); defer s.mu.Unlock(); return s.block }

// Stats returns the error-handling counters.
func (s *Session) Stats() Stats { s.mu.Lock(); defer s.mu.Unlock(); return s.stats }

// Usable reports whether cmd may still be used (it is not after the slave
// answered ERR_CMD_UNKNOWN).
func (s *Session) Usable(cmd swdbg.Command) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.unusable[cmd]
}

// ServiceLevel returns the current service level.
func (s *Session) ServiceLevel() swdbg.ServiceLevel {
	s.evMu.Lock()
	defer s.evMu.Unlock()
	return s.level
}

func (s *Session) setLevel(l swdbg.ServiceLevel) {
	s.evMu.Lock()
	s.level = l
	s.evMu.Unlock()
}

// Subscribe returns a channel receiving the SW-DBG events (service level
// and HW-IO changes) and a function ending the subscription. A subscriber
// that does not keep up loses events.
func (s *Session) Subscribe(buf int) (<-chan swdbg.Event, func()) {
	ch := make(chan swdbg.Event, buf)
	s.evMu.Lock()
	defer s.evMu.Unlock()
	if s.stop == nil {
		close(ch)
		return ch, func() {}
	}
	s.subs[ch] = struct{}{}
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			s.evMu.Lock()
			defer s.evMu.Unlock()
			if _, ok := s.subs[ch]; ok {
				delete(s.subs, ch)
				close(ch)
			}
		})
	}
}

// events decodes EV_DBG notices until the master subscription ends.
func (s *Session) events(ch <-chan master.Notice) {
	defer close(s.evDone)
	defer func() {
		s.evMu.Lock()
		for c := range s.subs {
			close(c)
			delete(s.subs, c)
		}
		s.evMu.Unlock()
	}()
	for n := range ch {
		if n.Kind != xcp.KindEv || n.Event != xcp.EvDbg {
			continue
		}
		var e swdbg.Event
		if err := e.DecodeData(n.Data); err != nil {
			s.log.Warn("sw-dbg: bad EV_DBG", "err", err)
			continue
		}
		s.evMu.Lock()
		if e.Code == swdbg.EvServiceLevelChange {
			s.level = e.ServiceLevel
			s.log.Info("sw-dbg service level changed", "level", e.ServiceLevel.Level())
		}
		for c := range s.subs {
			select {
			case c <- e:
			default:
				s.log.Warn("sw-dbg event dropped: subscriber is not keeping up", "event", e.String())
			}
		}
		s.evMu.Unlock()
	}
}
