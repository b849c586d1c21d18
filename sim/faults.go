package sim

import (
	"sync"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Fault switches. They make the slave misbehave on purpose so that a
// master's error handling (timeouts, the error-handling matrix, bad input)
// can be tested. Each switch arms a counter that the next commands or
// responses consume; all are safe for concurrent use and may be armed
// while the slave is serving. ClearFaults disarms everything.
//
// "Response" means one packet answering a command (RES or ERR; in slave
// block mode every UPLOAD packet counts). Events, service requests and
// DTOs sent on their own are never affected.

// faults holds the armed switches and the command history.
type faults struct {
	mu      sync.Mutex
	drop    int
	dup     int
	delayN  int
	delay   time.Duration
	corrupt int
	mutate  func([]byte) []byte
	inject  []injection
	slowN   int
	slowD   time.Duration
	slowEv  time.Duration
	history []xcp.Command
	conns   map[*session]struct{}
}

type injection struct {
	any  bool
	cmd  xcp.Command
	code xcp.ErrorCode
	n    int
}

// maxHistory bounds the command history.
const maxHistory = 4096

// DropResponses makes the slave execute the next n commands but send no
// response packet for them (n response packets are swallowed).
func (s *Slave) DropResponses(n int) {
	s.faults.mu.Lock()
	s.faults.drop = max(0, n)
	s.faults.mu.Unlock()
}

// DuplicateResponses makes the slave send each of the next n response
// packets twice, as a network that duplicates datagrams delivers them: on
// XCP on Ethernet both copies are the same frame with the same CTR; on
// other transports the packet is sent twice.
func (s *Slave) DuplicateResponses(n int) {
	s.faults.mu.Lock()
	s.faults.dup = max(0, n)
	s.faults.mu.Unlock()
}

// DelayResponses delays each of the next n response packets by d, as a
// slow ECU does: the slave answers in order, so the commands after a
// delayed answer wait behind it and no answer ever overtakes another
// (reordering is what a datagram network adds, not a slave).
func (s *Slave) DelayResponses(n int, d time.Duration) {
	s.faults.mu.Lock()
	s.faults.delayN, s.faults.delay = max(0, n), d
	s.faults.mu.Unlock()
}

// Busy makes the slave answer the next k commands (of any kind except
// SYNCH and CONNECT) with ERR_CMD_BUSY without executing them.
func (s *Slave) Busy(k int) {
	s.faults.mu.Lock()
	s.faults.inject = append(s.faults.inject, injection{any: true, code: xcp.ErrCmdBusy, n: k})
	s.faults.mu.Unlock()
}

// InjectError makes the slave answer the next k occurrences of cmd with
// ERR code instead of executing them. Several injections may be armed;
// they are consumed in the order they were armed.
func (s *Slave) InjectError(cmd xcp.Command, code xcp.ErrorCode, k int) {
	s.faults.mu.Lock()
	s.faults.inject = append(s.faults.inject, injection{cmd: cmd, code: code, n: k})
	s.faults.mu.Unlock()
}

// CorruptResponses corrupts the next n response packets with mutate, which
// gets a copy of the packet and returns what is sent instead. A nil mutate
// keeps only the first byte (the PID): a truncated packet for every
// response that carries parameters.
func (s *Slave) CorruptResponses(n int, mutate func(p []byte) []byte) {
	s.faults.mu.Lock()
	s.faults.corrupt, s.faults.mutate = max(0, n), mutate
	s.faults.mu.Unlock()
}

// SlowCommands makes each of the next n commands take d before it is
// executed; while it waits the slave sends EV_CMD_PENDING at once and then
// every pending interval (pending <= 0: only at once), asking the master
// to restart its timeout.
func (s *Slave) SlowCommands(n int, d, pending time.Duration) {
	s.faults.mu.Lock()
	s.faults.slowN, s.faults.slowD, s.faults.slowEv = max(0, n), d, pending
	s.faults.mu.Unlock()
}

// Disconnect closes every connection the slave is serving, as if the ECU
// had dropped off the network; the Serve calls return nil.
func (s *Slave) Disconnect() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	for ss := range s.faults.conns {
		ss.conn.Close()
	}
}

// MinSTViolations returns how many DOWNLOAD_NEXT/PROGRAM_NEXT packets
// arrived sooner after the previous packet of their block than the MIN_ST
// the slave announced (Config.MinST), i.e. how often a master broke the
// minimum separation time of master block mode.
func (s *Slave) MinSTViolations() uint64 { return s.minSTViolations.Load() }

// ClearFaults disarms every fault switch.
func (s *Slave) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	f := &s.faults
	f.drop, f.dup, f.delayN, f.delay, f.corrupt, f.mutate = 0, 0, 0, 0, 0, nil
	f.inject = nil
	f.slowN, f.slowD, f.slowEv = 0, 0, 0
}

// History returns the command codes the slave received (all connections,
// oldest first, at most the last 4096), e.g. to check that a master sent
// SYNCH before repeating a command.
func (s *Slave) History() []xcp.Command {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return append([]xcp.Command(nil), s.faults.history...)
}

// ResetHistory forgets the command history.
func (s *Slave) ResetHistory() {
	s.faults.mu.Lock()
	s.faults.history = s.faults.history[:0]
	s.faults.mu.Unlock()
}

// record appends cmd to the history.
func (f *faults) record(cmd xcp.Command) {
	f.mu.Lock()
	if len(f.history) >= maxHistory {
		n := copy(f.history, f.history[len(f.history)-maxHistory/2:])
		f.history = f.history[:n]
	}
	f.history = append(f.history, cmd)
	f.mu.Unlock()
}

// injected consumes an armed error injection matching cmd.
func (f *faults) injected(cmd xcp.Command) (xcp.ErrorCode, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.inject {
		in := &f.inject[i]
		if in.n <= 0 {
			continue
		}
		if in.any && (cmd == xcp.CmdSynch || cmd == xcp.CmdConnect) {
			continue
		}
		if !in.any && in.cmd != cmd {
			continue
		}
		in.n--
		code := in.code
		if in.n == 0 {
			f.inject = append(f.inject[:i], f.inject[i+1:]...)
		}
		return code, true
	}
	return 0, false
}

// response applies drop, delay and corrupt to one response packet.
func (f *faults) response(p []byte) (out []byte, delay time.Duration, drop bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.drop > 0 {
		f.drop--
		return nil, 0, true
	}
	if f.delayN > 0 {
		f.delayN--
		delay = f.delay
	}
	if f.corrupt > 0 {
		f.corrupt--
		if f.mutate != nil {
			p = f.mutate(append([]byte(nil), p...))
		} else {
			p = p[:1]
		}
	}
	return p, delay, false
}

// duplicate consumes a DuplicateResponses switch.
func (f *faults) duplicate() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dup <= 0 {
		return false
	}
	f.dup--
	return true
}

// slowCommand consumes a SlowCommands switch.
func (f *faults) slowCommand() (d, pending time.Duration, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.slowN <= 0 {
		return 0, 0, false
	}
	f.slowN--
	return f.slowD, f.slowEv, true
}

// slow waits out an armed SlowCommands switch, sending EV_CMD_PENDING.
func (ss *session) slow() error {
	d, every, ok := ss.slave.faults.slowCommand()
	if !ok {
		return nil
	}
	return ss.pending(d, every)
}

// pending waits d, sending EV_CMD_PENDING at once and every interval.
func (ss *session) pending(d, every time.Duration) error {
	ev := evPacket(xcp.EvCmdPending, nil, ss.format())
	if err := ss.send(ev); err != nil {
		return err
	}
	end := time.NewTimer(d)
	defer end.Stop()
	var tick <-chan time.Time
	if every > 0 {
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-end.C:
			return nil
		case <-tick:
			if err := ss.send(ev); err != nil {
				return err
			}
		case <-ss.ctx.Done():
			return ss.ctx.Err()
		}
	}
}
