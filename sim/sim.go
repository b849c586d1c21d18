// Package sim is goxcp's built-in XCP slave (ASAM MCD-1 XCP 1.5): a
// simulated ECU with a memory map (RAM with time-varying variables, a
// calibration segment with a working and a reference page, a read-only
// area, flash sectors), seed & key protection per resource, the standard,
// CAL, PAG and PGM command groups, DAQ and SW-DBG, served over any
// transport.Conn. It is built on the same protocol package as the master
// (goxcp/xcp) but never imports the master, so master↔simulator tests are a
// real cross-check of both sides.
//
// New creates a slave from a Config (byte order, address granularity,
// MAX_CTO/MAX_DTO, block modes, protected resources, checksum type …);
// Serve answers one transport.Conn, ListenAndServe and ServeListener serve
// XCP on Ethernet (TCP and UDP). The memory map is documented in memory.go
// (ROMBase, CalBase, FlashBase, RAMBase …), the variables and parameters
// in Variables and Parameters, the seed & key algorithm in DemoKey. GET_ID
// type 4 serves an A2L describing all of it (also available as A2L).
// USER_CMD sub-commands (UserServText, UserEvent, UserSlow, UserServReset)
// and the methods ServText, Event and ServReset make the slave send
// service requests and events on request.
//
// Fault switches (DropResponses, DelayResponses, Busy, InjectError,
// CorruptResponses, SlowCommands, Disconnect) make the slave misbehave on
// purpose so that a master's error handling can be tested; History lists
// the commands received and MinSTViolations counts master-block packets
// that came faster than the announced MIN_ST.
//
// # Rooms
//
// The command table (dispatch.go) routes every command code to the part
// that answers it and does the checks common to a part once: decoding
// (ERR_CMD_SYNTAX), seed & key protection, the PROGRAM_START sequence.
// The standard, CAL, PAG and PGM commands are handlers in this package
// (std.go, cal.go, pag.go, pgm.go, checksum.go, tl_can.go) that take the
// decoded command, with Slave.mu held. Two parts are packages of their
// own, with their contract as Go interfaces:
//
//   - sim/daqengine, the DAQ processor (DAQ lists, event channels, STIM):
//     the slave's memory map is its daqengine.Memory, the session of a
//     command its daqengine.Link (daq.go);
//   - sim/dbgtarget, the SW-DBG target (memory behind TRIs, HW-IO pins,
//     JTAG TAP, DAP): each session holds a dbgtarget.Session and is its
//     dbgtarget.Link (dbg.go).
package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goxcp/goxcp/internal/wait"
	"github.com/goxcp/goxcp/protocol/checksum"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim/daqengine"
	"github.com/goxcp/goxcp/sim/dbgtarget"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/eth"
)

// Slave is a simulated ECU. Its state (memory, pages, protection settings,
// DAQ) is shared by every connection served; XCP allows one master at a
// time, so a CONNECT on a new connection takes the session over.
// A Slave is safe for concurrent use.
type Slave struct {
	cfg   Config
	log   *slog.Logger
	start time.Time

	mu        sync.Mutex // guards everything below up to faults
	mem       memory
	cal       calState
	status    uint8  // SESSION_STATUS bits kept across commands (STORE_CAL_REQ …)
	configID  uint16 // SESSION_CONFIGURATION_ID from SET_REQUEST
	rng       *rngState
	active    *session          // the connection that holds the XCP session, if any
	endpoints []*endpoint       // network addresses served (for the A2L)
	daq       *daqengine.Engine // DAQ lists and event channels; guarded by mu
	dbg       *dbgtarget.Target // the SW-DBG target; own lock, taken after mu

	faults faults // fault switches, own lock

	minSTViolations atomic.Uint64
}

// Config configures a Slave. The zero value is a usable default slave:
// Intel byte order, BYTE granularity, MAX_CTO 255, MAX_DTO 1024, slave and
// master block mode on, no resource protected.
type Config struct {
	Order  xcp.ByteOrder
	AG     xcp.Granularity // 0 = BYTE
	MaxCTO int             // 8..255, a multiple of AG; 0 = 255 (254 WORD, 252 DWORD)
	MaxDTO int             // 8..65535, 0 = 1024

	// NoSlaveBlockMode switches slave block mode (UPLOAD answered in
	// several packets) off; NoMasterBlockMode switches master block mode
	// (DOWNLOAD_NEXT, PROGRAM_NEXT) off.
	NoSlaveBlockMode  bool
	NoMasterBlockMode bool
	// Takeover lets a CONNECT from another connection take the XCP
	// session from the master holding it (ending its DAQ). By default the
	// slave serves one master at a time like a real ECU: a second
	// master's CONNECT is refused with ERR_ACCESS_DENIED while the first
	// one is connected, and the first session is untouched.
	Takeover bool
	// MaxBS is the maximum number of packets of a master block (DOWNLOAD
	// plus DOWNLOAD_NEXTs), 0 = 32. MinST is the minimum separation time
	// between them in units of 100 µs that the slave announces (0 = none).
	MaxBS uint8
	MinST uint8

	// Protect lists the resources locked by seed & key after CONNECT
	// (0 = nothing protected). Keys are checked with DemoKey.
	Protect xcp.Resource
	// SeedLen is the seed length in bytes (1..255); 0 picks a length that
	// needs at least two GET_SEED parts for any MAX_CTO.
	SeedLen int

	// StoreCalDelay is how long SET_REQUEST STORE_CAL_REQ takes to store
	// the working page into the reference page (0 = 10 ms; GET_STATUS
	// shows STORE_CAL_REQ meanwhile, EV_STORE_CAL follows).
	StoreCalDelay time.Duration

	// Checksum is the BUILD_CHECKSUM algorithm (0 = XCP_CRC_16_CITT);
	// every type of goxcp/xcp/checksum is possible.
	Checksum xcp.ChecksumType
	// MaxChecksumBlock is the largest BUILD_CHECKSUM block in AG elements
	// (0 = 0x10000).
	MaxChecksumBlock uint32

	// RAMSize is the size in bytes of the RAM region (0 = 2 MiB, at least
	// 4 KiB). See the memory map in memory.go.
	RAMSize int

	// RandSeed seeds the generator of GET_SEED seeds; 0 uses the clock.
	RandSeed uint64

	// Name is the ASCII identification (GET_ID type 0); "" = "goxcp-sim".
	Name string
	// IDInResponse makes GET_ID return identifications that fit into the
	// response packet directly (mode bit 0) instead of via UPLOAD.
	IDInResponse bool

	// Dbg configures the SW-DBG target (see DbgConfig).
	Dbg DbgConfig

	// DAQ configures the DAQ processor (events, identification field,
	// timestamps …); the zero value is a usable default, see DAQConfig.
	DAQ DAQConfig

	Logger *slog.Logger // nil = silent
}

// ErrConfig is matched (errors.Is) by errors reporting a bad Config.
var ErrConfig = errors.New("sim: invalid configuration")

func (c *Config) setDefaults() error {
	if c.AG == 0 {
		c.AG = xcp.Byte
	}
	if c.AG != xcp.Byte && c.AG != xcp.Word && c.AG != xcp.DWord {
		return fmt.Errorf("%w: address granularity %d (want 1, 2 or 4)", ErrConfig, c.AG)
	}
	if c.Order != xcp.Intel && c.Order != xcp.Motorola {
		return fmt.Errorf("%w: byte order %d", ErrConfig, c.Order)
	}
	if c.MaxCTO == 0 {
		c.MaxCTO = 255 - 255%c.AG.Size() // 255, 254 (WORD) or 252 (DWORD)
	}
	if c.MaxCTO < 8 || c.MaxCTO > 255 {
		return fmt.Errorf("%w: MaxCTO %d outside 8..255", ErrConfig, c.MaxCTO)
	}
	if c.MaxCTO%c.AG.Size() != 0 {
		return fmt.Errorf("%w: MaxCTO %d is not a multiple of the address granularity %s", ErrConfig, c.MaxCTO, c.AG)
	}
	if c.MaxDTO == 0 {
		c.MaxDTO = 1024
	}
	if c.MaxDTO < 8 || c.MaxDTO > 65535 {
		return fmt.Errorf("%w: MaxDTO %d outside 8..65535", ErrConfig, c.MaxDTO)
	}
	if c.MaxBS == 0 {
		c.MaxBS = 32
	}
	if c.SeedLen == 0 {
		c.SeedLen = min(255, c.MaxCTO-2+7)
	}
	if c.SeedLen < 1 || c.SeedLen > 255 {
		return fmt.Errorf("%w: SeedLen %d outside 1..255", ErrConfig, c.SeedLen)
	}
	if c.StoreCalDelay == 0 {
		c.StoreCalDelay = 10 * time.Millisecond
	}
	if c.Checksum == 0 {
		c.Checksum = xcp.ChecksumCRC16CITT
	}
	if !checksum.Supported(c.Checksum) {
		return fmt.Errorf("%w: checksum type %s", ErrConfig, c.Checksum)
	}
	if c.MaxChecksumBlock == 0 {
		c.MaxChecksumBlock = 0x10000
	}
	if c.RAMSize == 0 {
		c.RAMSize = 2 << 20
	}
	if c.RAMSize < 4096 || c.RAMSize > 64<<20 {
		return fmt.Errorf("%w: RAMSize %d outside 4 KiB..64 MiB", ErrConfig, c.RAMSize)
	}
	if c.Protect&^(xcp.ResCalPag|xcp.ResDaq|xcp.ResStim|xcp.ResPgm|xcp.ResDbg) != 0 {
		return fmt.Errorf("%w: Protect 0x%02X has undefined resource bits", ErrConfig, uint8(c.Protect))
	}
	if c.Name == "" {
		c.Name = "goxcp-sim"
	}
	return nil
}

// New returns a slave with the given configuration, or an error matching
// ErrConfig that names the bad field.
func New(cfg Config) (*Slave, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Slave{cfg: cfg, log: log, start: time.Now()}
	s.mem = newMemory(cfg)
	s.cal.pages[PageWorking] = initialCalPage(s)
	s.cal.pages[PageReference] = initialCalPage(s)
	s.faults.conns = make(map[*session]struct{})
	s.rng = newRNG(cfg.RandSeed)
	s.updateVarsLocked(0)
	daq, err := daqengine.New(cfg.DAQ, s.format(), daqMemory{s})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	s.daq = daq
	s.cfg.DAQ = daq.Config()
	s.dbg = dbgtarget.New(cfg.Dbg, dbgtarget.Base{Order: cfg.Order, SlaveBlock: !cfg.NoSlaveBlockMode,
		MasterBlock: !cfg.NoMasterBlockMode, MaxBS: int(cfg.MaxBS), Logger: log})
	s.cfg.Dbg = s.dbg.Config()
	return s, nil
}

// Config returns the slave's configuration with defaults filled in.
func (s *Slave) Config() Config { return s.cfg }

// now returns the slave time: the monotonic time since New.
func (s *Slave) now() time.Duration { return time.Since(s.start) }

// Serve answers the master on conn until ctx is done, the connection fails
// or Disconnect is called. It closes conn before returning. A closed
// connection ends Serve with a nil error. Several connections may be
// served at once; the last one to CONNECT holds the XCP session.
func (s *Slave) Serve(ctx context.Context, conn transport.Conn) error {
	ctx, cancel := context.WithCancel(ctx)
	ss := &session{slave: s, conn: conn, ctx: ctx, cancel: cancel, out: make([]byte, 0, 256)}
	defer func() {
		cancel()
		conn.Close()
		ss.wg.Wait()
		s.mu.Lock()
		if s.active == ss || s.active == nil {
			// Only the session's own end stops its measurement: a second
			// master that gave up must not end the first one's DAQ.
			s.active = nil
			s.daq.Reset()
		}
		s.dbg.Detach(&ss.dbg)
		s.mu.Unlock()
	}()
	s.faults.mu.Lock()
	s.faults.conns[ss] = struct{}{}
	s.faults.mu.Unlock()
	defer func() {
		s.faults.mu.Lock()
		delete(s.faults.conns, ss)
		s.faults.mu.Unlock()
	}()
	for {
		p, err := conn.Recv(ctx)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("sim: receive: %w", err)
		}
		if len(p.Data) == 0 {
			continue
		}
		if err := ss.handle(p.Data); err != nil {
			if errors.Is(err, net.ErrClosed) || ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("sim: send: %w", err)
		}
	}
}

// session is the state of one connection. Fields after mu's comment are
// only touched by the connection's goroutine (handle) unless noted.
type session struct {
	slave  *Slave
	conn   transport.Conn
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// Guarded by slave.mu:
	connected bool
	locked    xcp.Resource // resources still protected
	userMode  bool         // CONNECT in user-defined mode
	mta       uint32
	mtaExt    uint8
	seed      seedState
	dl        blockState // DOWNLOAD / PROGRAM master block in progress
	pgm       pgmState
	dbg       dbgtarget.Session // guarded by the target's lock
	can       canSession        // XCP on CAN (tl_can.go)

	// Used by the connection's goroutine only (stdCommand):
	out   []byte      // response buffer
	queue []outPacket // packets to send before the response
	wait  time.Duration
	ckbuf []byte // BUILD_CHECKSUM data
	rbuf  []byte // UPLOAD data
}

// isConnected reports whether the session holds the XCP connection.
func (ss *session) isConnected() bool {
	ss.slave.mu.Lock()
	defer ss.slave.mu.Unlock()
	return ss.connected
}

// format returns the packet format of the session.
func (ss *session) format() xcp.Format { return ss.slave.format() }

// format returns the packet format of the slave.
func (s *Slave) format() xcp.Format {
	c := &s.cfg
	return xcp.Format{Order: c.Order, AG: c.AG, MaxCTO: c.MaxCTO, MaxDTO: c.MaxDTO}
}

// handle dispatches one command packet through the command table
// (dispatch.go) and sends the answer
// through the fault switches.
func (ss *session) handle(req []byte) error {
	if req[0] < byte(xcp.CmdLevel1) { // a STIM DTO: PIDs below the command codes
		ss.stimDTO(req)
		return nil
	}
	cmd := xcp.Command(req[0])
	ss.slave.faults.record(cmd)
	if cmd != xcp.CmdConnect && !ss.isConnected() {
		if ss.isCANSlaveID(req) { // bus scans find slaves before CONNECT
			return ss.reply(ss.canSlaveID(req))
		}
		return nil // a disconnected slave answers nothing but CONNECT
	}
	e := lookup(req)
	if len(req) > ss.slave.cfg.MaxCTO && e.part != partDbg { // SW-DBG packets are bounded by MAX_CTO_DBG (dbg.go)
		return ss.reply(errPacket(xcp.ErrCmdSyntax)) // longer than MAX_CTO
	}
	if code, ok := ss.slave.faults.injected(cmd); ok {
		return ss.reply(errPacket(code))
	}
	if err := ss.slow(); err != nil {
		return err
	}
	var resp []byte
	switch e.part {
	case partDbg:
		resp = ss.dbgCommand(req)
	case partDAQ:
		resp = ss.daqCommand(req)
	default:
		var err error
		resp, err = ss.stdCommand(e, req)
		if err != nil {
			return err
		}
	}
	if resp == nil {
		return nil // no answer (block-mode intermediate packet)
	}
	return ss.reply(resp)
}

// reply sends one command response packet, subject to the fault switches
// (drop, delay, corrupt).
func (ss *session) reply(p []byte) error {
	p, delay, drop := ss.slave.faults.response(p)
	if drop {
		return nil
	}
	if delay > 0 {
		if err := wait.For(ss.ctx, delay); err != nil {
			return err
		}
	}
	if ss.slave.faults.duplicate() {
		if d, ok := ss.conn.(eth.Duplicator); ok {
			return d.SendTwice(ss.ctx, p)
		}
		if err := ss.conn.Send(ss.ctx, p); err != nil {
			return err
		}
	}
	return ss.conn.Send(ss.ctx, p)
}

// send transmits one asynchronous packet (DTO, EV, SERV) to the master. It
// may be called from any goroutine and is not subject to fault switches.
func (ss *session) send(p []byte) error {
	return ss.conn.Send(ss.ctx, p)
}

// spawn runs f on a goroutine bound to the session: ctx is cancelled when
// the connection ends and Serve waits for f to return.
func (ss *session) spawn(f func(ctx context.Context)) {
	ss.wg.Add(1)
	go func() {
		defer ss.wg.Done()
		f(ss.ctx)
	}()
}

// errPacket returns an ERR packet with the given code.
func errPacket(code xcp.ErrorCode) []byte { return []byte{xcp.PIDErr, byte(code)} }

// errPacketData returns an ERR packet with the given code and extra bytes.
func errPacketData(code xcp.ErrorCode, data ...byte) []byte {
	return append([]byte{xcp.PIDErr, byte(code)}, data...)
}

// codeOf returns the XCP error code carried by err (ERR_GENERIC if err is
// not an xcp.ErrorCode).
func codeOf(err error) xcp.ErrorCode {
	var c xcp.ErrorCode
	if errors.As(err, &c) {
		return c
	}
	return xcp.ErrGeneric
}
