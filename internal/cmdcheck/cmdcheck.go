// Package cmdcheck checks the master's command path against the simulator
// under faults: it arms random fault switches of the simulator (answers
// delayed before, at and after t1, dropped, duplicated, ERR_CMD_BUSY) before
// random commands (reads of every length, writes, GET_STATUS) and checks
// every answer against a model of the simulator's memory. A call may fail;
// it must never return a wrong value. The property test of package master
// and the soak program bench/cmdsoak drive it.
package cmdcheck

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"time"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport"
)

// Region is the simulator memory the checks read and write: RAM past the
// simulator's live variables.
const (
	Base = sim.RAMBase + 0x2000
	Size = 256
)

// Source draws the random choices (rapid in the property test, math/rand
// in the soak).
type Source interface {
	// Int returns a number in lo..hi (inclusive); label names the choice.
	Int(lo, hi int, label string) int
}

// Counts are the outcomes of the calls made so far.
type Counts struct {
	Calls  uint64
	Errors uint64
	Wrong  uint64 // calls that returned a wrong value without an error
	// ByError counts the errors by kind (timeout, not synchronised, ...).
	ByError map[string]uint64
}

// Checker drives one master connected to one simulator.
type Checker struct {
	S  *sim.Slave
	M  *master.Master
	T1 time.Duration // the master's t1 (fault delays are drawn around it)
	// Addr is the start of the region this checker reads and writes
	// (Size bytes; 0 means Base). Checkers that share a master and a
	// simulator (concurrent callers) each need their own region.
	Addr uint32
	// FaultPercent is the share of steps that arm a fault (0 means 60;
	// at most 100).
	FaultPercent int

	// allowed[i] is the set of values byte i of the region may hold: one
	// after a successful write or read; old and new after a failed write
	// (it may or may not have happened).
	allowed [Size][4]uint64
	status  xcp.GetStatusResponse
	Counts  Counts
	// Wrong receives a description of each wrong result.
	Wrong func(msg string)
	// Log, if set, receives a line per step (fault armed, call made).
	Log func(msg string)
}

// New fills the region with init (Size bytes, written without faults) and
// records the slave's status as the model's.
func New(ctx context.Context, s *sim.Slave, m *master.Master, t1 time.Duration, init []byte) (*Checker, error) {
	return NewAt(ctx, s, m, t1, Base, init)
}

// NewAt is New for the region at addr (Size bytes of simulator RAM).
func NewAt(ctx context.Context, s *sim.Slave, m *master.Master, t1 time.Duration, addr uint32, init []byte) (*Checker, error) {
	if len(init) != Size {
		return nil, fmt.Errorf("cmdcheck: initial contents of %d bytes, want %d", len(init), Size)
	}
	s.ClearFaults()
	// Answers the slave held back under the last faults (delayed by up to
	// 12×t1, and every later answer behind them) may still be on their
	// way: the master cannot synchronise before they have arrived, so the
	// initial write (the same bytes each time) is repeated for a while.
	var err error
	for end := time.Now().Add(max(2*time.Second, 40*t1)); ; {
		if err = m.Write(ctx, addr, 0, init); err == nil || time.Now().After(end) || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("cmdcheck: initial write: %w", err)
	}
	st, err := m.GetStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("cmdcheck: initial GET_STATUS: %w", err)
	}
	c := &Checker{S: s, M: m, T1: t1, Addr: addr, status: st, Counts: Counts{ByError: map[string]uint64{}}}
	for i, b := range init {
		c.set(i, b)
	}
	return c, nil
}

func (c *Checker) set(i int, b byte) { c.allowed[i] = [4]uint64{}; c.allowed[i][b/64] = 1 << (b % 64) }
func (c *Checker) add(i int, b byte) { c.allowed[i][b/64] |= 1 << (b % 64) }
func (c *Checker) ok(i int, b byte) bool {
	return c.allowed[i][b/64]&(1<<(b%64)) != 0
}

// delays are the fault delays in units of t1/10: before, at and after t1,
// beyond the SYNCH that follows a timeout, and beyond all three SYNCHs of a
// resynchronisation (5 t1, 12 t1: an answer that late must not be written
// off as lost on a guess about time).
var delays = []int{2, 5, 9, 10, 11, 15, 20, 25, 35, 50, 120}

// Fault arms one random fault switch (or none) and returns its name.
func (c *Checker) Fault(src Source) string {
	c.S.ClearFaults()
	pct := c.FaultPercent
	if pct <= 0 {
		pct = 60
	}
	if src.Int(1, 100, "fault?") > min(pct, 100) {
		return "none"
	}
	switch src.Int(4, 9, "fault") {
	case 4, 5:
		d := time.Duration(delays[src.Int(0, len(delays)-1, "delay")]) * c.T1 / 10
		n := src.Int(1, 2, "delayed answers")
		c.S.DelayResponses(n, d)
		return fmt.Sprintf("delay %d×%v", n, d)
	case 6:
		c.S.DropResponses(1)
		return "drop"
	case 7, 8:
		n := src.Int(1, 3, "duplicated answers")
		c.S.DuplicateResponses(n)
		return fmt.Sprintf("duplicate %d", n)
	default:
		c.S.Busy(1)
		return "busy"
	}
}

// Step arms a random fault, makes one random call and checks its result.
// It returns an error only when the connection is gone (no more steps
// can run).
func (c *Checker) Step(ctx context.Context, src Source) error {
	fault := c.Fault(src)
	var err error
	op := src.Int(0, 9, "op")
	if c.Log != nil {
		c.Log(fmt.Sprintf("step %d: fault %s, op %d", c.Counts.Calls, fault, op))
	}
	switch {
	case op < 5:
		err = c.read(ctx, src, fault)
	case op < 8:
		err = c.write(ctx, src)
	default:
		err = c.getStatus(ctx, fault)
	}
	if dl, ok := ctx.Deadline(); ctx.Err() != nil || (ok && !time.Now().Before(dl)) {
		return context.DeadlineExceeded // cut by the end of the run: not counted
	}
	c.Counts.Calls++
	if err == nil {
		return nil
	}
	c.Counts.Errors++
	c.Counts.ByError[kind(err)]++
	if errors.Is(err, master.ErrClosed) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, transport.ErrConnectionLost) {
		return err
	}
	return nil
}

// kind classifies an error for the counts.
func kind(err error) string {
	var xe *xcp.Error
	switch {
	case errors.Is(err, master.ErrNotSynchronised):
		return "not synchronised"
	case errors.Is(err, master.ErrUnexpectedResponse):
		return "unexpected response"
	case errors.Is(err, master.ErrCommandDeadline):
		return "command deadline"
	case errors.Is(err, xcp.ErrTimeout):
		return "timeout"
	case errors.As(err, &xe):
		return xe.Code.Name()
	}
	return "other: " + err.Error()
}

func (c *Checker) wrong(format string, args ...any) {
	c.Counts.Wrong++
	if c.Wrong != nil {
		c.Wrong(fmt.Sprintf(format, args...))
	}
}

func (c *Checker) read(ctx context.Context, src Source, fault string) error {
	n := src.Int(1, 48, "read length")
	off := src.Int(0, Size-n, "read offset")
	got, err := c.M.Read(ctx, c.base()+uint32(off), 0, n)
	if err != nil {
		return err
	}
	if len(got) != n {
		c.wrong("read 0x%X+%d (%s): %d bytes (% X), want %s", c.base()+uint32(off), n, fault, len(got), got, c.expected(off, n))
		return nil
	}
	for i, b := range got {
		if !c.ok(off+i, b) {
			c.wrong("read 0x%X+%d (%s): byte %d is %02X, the slave's memory holds %s; got [% X], want %s",
				c.base()+uint32(off), n, fault, i, b, c.describe(off+i), got, c.expected(off, n))
			return nil
		}
	}
	for i, b := range got {
		c.set(off+i, b)
	}
	return nil
}

// base returns the start of the checker's region.
func (c *Checker) base() uint32 {
	if c.Addr == 0 {
		return Base
	}
	return c.Addr
}

// expected formats what the model allows for n bytes at offset off:
// [11 22 (33|44) ...].
func (c *Checker) expected(off, n int) string {
	s := "["
	for i := off; i < off+n; i++ {
		if i > off {
			s += " "
		}
		if d := c.describe(i); len(d) > 2 {
			s += "(" + strings.ReplaceAll(d, " or ", "|") + ")"
		} else {
			s += d
		}
	}
	return s + "]"
}

func (c *Checker) describe(i int) string {
	s := ""
	for b := 0; b < 256; b++ {
		if c.ok(i, byte(b)) {
			if s != "" {
				s += " or "
			}
			s += fmt.Sprintf("%02X", b)
		}
	}
	return s
}

func (c *Checker) write(ctx context.Context, src Source) error {
	n := src.Int(1, 24, "write length")
	off := src.Int(0, Size-n, "write offset")
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(src.Int(1, 255, "byte"))
	}
	err := c.M.Write(ctx, c.base()+uint32(off), 0, data)
	for i, b := range data {
		if err == nil {
			c.set(off+i, b)
		} else {
			c.add(off+i, b) // it may or may not have been written
		}
	}
	return err
}

func (c *Checker) getStatus(ctx context.Context, fault string) error {
	st, err := c.M.GetStatus(ctx)
	if err != nil {
		return err
	}
	if st != c.status {
		c.wrong("GET_STATUS (%s): %+v, want %+v", fault, st, c.status)
	}
	return nil
}

// Known reports how many bytes of the region the model knows exactly.
func (c *Checker) Known() int {
	n := 0
	for i := range c.allowed {
		k := 0
		for _, w := range c.allowed[i] {
			k += bits.OnesCount64(w)
		}
		if k == 1 {
			n++
		}
	}
	return n
}
