package sim

import (
	"fmt"
	"strings"
	"sync"

	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// This file holds the SW-DBG part's state and lifecycle hooks (see the
// package documentation in sim.go); the commands are in dbg*.go.

// dbgSlave is the SW-DBG state shared by all sessions of a Slave. It has
// its own lock (taken after Slave.mu where both are held).
type dbgSlave struct {
	mu  sync.Mutex
	cfg DbgConfig
	f   xcp.Format
	// block modes, from the base Config
	slaveBlock, masterBlock bool
	maxBS                   int

	mem      []*memRegion
	pins     []pinState
	level    swdbg.ServiceLevel
	tap      tap
	dap      map[uint8]swdbg.Bits
	faults   map[swdbg.Command][]dbgFault
	halted   bool
	last     *session // the session that attached last: receives events
	cur      *session // the session whose command is being answered
	owner    *session // the session holding exclusive target access
	cmdCount map[swdbg.Command]int
}

// dbgSession is the SW-DBG state of one connection.
type dbgSession struct {
	attached bool
	busOwned bool
	events   map[uint8]swdbg.Trigger
	// pending multi-packet transfers
	read1     *swdbg.ReadCAN1
	write     *pendingWrite
	canWrite1 *swdbg.WriteCAN1
	canNexts  int // DBG_WRITE_CAN_NEXT packets of the current transfer
	skip      int // packets of a failed master block still to drop
}

// pendingWrite is a write transfer waiting for more data packets.
type pendingWrite struct {
	tri   swdbg.TRI
	ew    swdbg.ElementWidth
	addr  uint64
	total int // elements
	data  []byte
	can   bool
}

func (s *Slave) dbgTarget() *dbgSlave { return &s.dbg }

// dbgInit is called once by New (before the slave is shared).
func (s *Slave) dbgInit() { s.dbg.init(s.cfg) }

// dbgReset is called with s.mu held on CONNECT, DISCONNECT and when the
// connection ends: the debugger of this session is detached.
func (ss *session) dbgReset() {
	t := &ss.slave.dbg
	t.mu.Lock()
	defer t.mu.Unlock()
	ss.dbg = dbgSession{}
	if t.last == ss {
		t.last = nil
	}
	if t.owner == ss {
		t.owner = nil
	}
}

// dbgA2L appends SW-DBG related text to the A2L served by GET_ID type 4.
// SW-DBG needs no AML extension (the debugger learns everything from
// DBG_ATTACH and DBG_GET_MODE_INFO), so it only notes that the slave
// supports it.
func (s *Slave) dbgA2L(b *strings.Builder) {
	b.WriteString("/* SW-DBG (ASAM Software Debugging over XCP 1.0) available: MAX_CTO_DBG ")
	fmt.Fprintf(b, "%d, dialect %s */\n", s.dbg.cfg.MaxCTODbg, s.dbg.dialect())
}

func (t *dbgSlave) dialect() swdbg.Dialect {
	if t.cfg.DAP {
		return swdbg.DialectDAP
	}
	return swdbg.DialectJTAG
}

func (t *dbgSlave) init(c Config) {
	cfg := c.Dbg
	if cfg.MaxCTODbg == 0 {
		cfg.MaxCTODbg = 1456
	}
	cfg.MaxCTODbg = min(max(cfg.MaxCTODbg, 8), 0xFFFF)
	if cfg.T1 == 0 {
		cfg.T1 = 0xFF
	}
	if cfg.T7 == 0 {
		cfg.T7 = 0xFF
	}
	if cfg.VendorInfo == "" {
		cfg.VendorInfo = "goxcp simulator"
	}
	if cfg.JTAGID == 0 {
		cfg.JTAGID = 0x00112041
	}
	if cfg.ServiceLevel < 1 || cfg.ServiceLevel > 4 {
		cfg.ServiceLevel = 2
	}
	if cfg.WriteBuffer <= 0 {
		cfg.WriteBuffer = 64 << 10
	}
	if cfg.Regions == nil {
		cfg.Regions = DefaultDbgRegions()
	}
	if cfg.Pins == nil {
		cfg.Pins = DefaultDbgPins()
	}
	dr := table70DR()
	if cfg.DR192 != nil {
		dr = *cfg.DR192
	}
	if cfg.DAPRegs == nil {
		cfg.DAPRegs = DefaultDAPRegs()
	}
	t.cfg = cfg
	t.slaveBlock, t.masterBlock, t.maxBS = !c.NoSlaveBlockMode, !c.NoMasterBlockMode, max(1, int(c.MaxBS))
	t.f = xcp.Format{Order: c.Order}
	for _, r := range cfg.Regions {
		t.mem = append(t.mem, newRegion(r))
	}
	for _, p := range cfg.Pins {
		t.pins = append(t.pins, pinState{DbgPin: p, drive: swdbg.StateTristate, input: p.High})
	}
	t.level = swdbg.ServiceLevel(cfg.ServiceLevel - 1)
	t.tap.reset(cfg.JTAGID, dr)
	t.dap = map[uint8]swdbg.Bits{}
	for k, v := range cfg.DAPRegs {
		t.dap[k] = swdbg.BitsOf(64, v)
	}
	t.faults = map[swdbg.Command][]dbgFault{}
	t.cmdCount = map[swdbg.Command]int{}
}
