package sim

import (
	"strings"

	"goxcp/xcp"
)

// This file belongs to the DAQ part (sim/daq*.go). The sim part created it
// with empty state and no-op hooks so that the package builds; the DAQ part
// replaces them. See the package documentation in sim.go for the contract.

// daqSlave is the slave-wide DAQ state (guarded by Slave.mu).
type daqSlave struct{}

// daqSession is the per-connection DAQ state.
type daqSession struct{}

// daqInit is called once by New (before the slave is shared).
func (s *Slave) daqInit() {}

// daqReset is called with s.mu held on CONNECT, DISCONNECT and when the
// connection ends: stop DAQ lists of this session.
func (ss *session) daqReset() {}

// daqRunning reports (with s.mu held) whether any DAQ list is running; it
// feeds GET_STATUS (DAQ_RUNNING) and makes PROGRAM_START fail with
// ERR_DAQ_ACTIVE.
func (s *Slave) daqRunning() bool { return false }

// daqA2L appends the DAQ part of IF_DATA XCP (DAQ, EVENT …) to the A2L
// served by GET_ID type 4 (called with s.mu held).
func (s *Slave) daqA2L(b *strings.Builder) {}

// daqCommands lists the DAQ commands the DAQ part implements (declared as
// OPTIONAL_CMD in the A2L).
func (s *Slave) daqCommands() []xcp.Command { return nil }
