package sim

import "strings"

// This file belongs to the SW-DBG part (sim/dbg*.go). The sim part created
// it with empty state and no-op hooks so that the package builds; the
// SW-DBG part replaces them. See the package documentation in sim.go.

// dbgSlave is the slave-wide SW-DBG state (guarded by Slave.mu).
type dbgSlave struct{}

// dbgSession is the per-connection SW-DBG state.
type dbgSession struct{}

// dbgInit is called once by New (before the slave is shared).
func (s *Slave) dbgInit() {}

// dbgReset is called with s.mu held on CONNECT, DISCONNECT and when the
// connection ends (detach the debugger of this session).
func (ss *session) dbgReset() {}

// dbgA2L appends SW-DBG related text to the A2L served by GET_ID type 4
// (called with s.mu held).
func (s *Slave) dbgA2L(b *strings.Builder) {}
