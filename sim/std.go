package sim

import (
	"context"
	"time"

	"github.com/goxcp/goxcp/internal/wait"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// Versions the simulator reports.
const (
	protocolMajor, protocolMinor   = 1, 5 // XCP 1.5
	transportMajor, transportMinor = 1, 5
	driverVersion                  = 0x15
)

// outPacket is a packet to send after the command's state change, before
// its response.
type outPacket struct {
	p     []byte
	async bool // EV/SERV (no fault switches) rather than a response packet
}

// stdCommand answers a command of the standard part (e: its entry in the
// command table): standard, CAL, PAG and PGM commands. It returns the
// final response packet; packets queued in ss.queue (block-mode UPLOAD
// parts, events) are sent before it, and ss.wait (a slow command) is
// waited out with EV_CMD_PENDING before the response.
func (ss *session) stdCommand(e *entry, req []byte) ([]byte, error) {
	s := ss.slave
	s.mu.Lock()
	ss.queue = ss.queue[:0]
	ss.wait = 0
	resp := ss.dispatch(e, req)
	s.mu.Unlock()
	for _, o := range ss.queue {
		var err error
		if o.async {
			err = ss.send(o.p)
		} else {
			err = ss.reply(o.p)
		}
		if err != nil {
			return nil, err
		}
	}
	ss.queue = ss.queue[:0]
	if ss.wait > 0 {
		if err := ss.pending(ss.wait, ss.wait/4); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// getVersion answers GET_VERSION (level 1).
func (ss *session) getVersion([]byte) []byte {
	return xcp.GetVersionResponse{ProtocolMajor: protocolMajor, ProtocolMinor: protocolMinor,
		TransportMajor: transportMajor, TransportMinor: transportMinor}.Append(ss.out[:0], ss.format())
}

// ok returns a positive response without parameters.
func (ss *session) ok() []byte { return xcp.OKResponse{}.Append(ss.out[:0], ss.format()) }

// syntax is the answer to a packet that does not decode.
func syntax() []byte { return errPacket(xcp.ErrCmdSyntax) }

func (ss *session) connect(c *xcp.Connect) []byte {
	if c.Mode > xcp.ConnectUserDefined {
		return errPacket(xcp.ErrOutOfRange)
	}
	s := ss.slave
	if s.active != nil && s.active != ss && s.active.connected && !s.cfg.Takeover {
		// One master at a time: the session holder keeps its session.
		s.log.Warn("sim: CONNECT refused: another master holds the session",
			"holder", s.active.conn.Info().Remote, "refused", ss.conn.Info().Remote)
		return errPacket(xcp.ErrAccessDenied)
	}
	if s.active != nil && s.active != ss {
		old := s.active
		old.resetLocked()
		old.connected = false
	}
	s.active = ss
	ss.resetLocked()
	ss.connected = true
	ss.userMode = c.Mode == xcp.ConnectUserDefined
	ss.locked = s.cfg.Protect
	cfg := &s.cfg
	basic := byte(cfg.Order) | cfg.AG.Bits()<<1 | xcp.CommModeOptional
	if !cfg.NoSlaveBlockMode {
		basic |= xcp.CommModeSlaveBlockMode
	}
	return xcp.ConnectResponse{
		Resource:         xcp.ResCalPag | xcp.ResDaq | xcp.ResStim | xcp.ResPgm | xcp.ResDbg,
		CommModeBasic:    basic,
		MaxCTO:           uint8(cfg.MaxCTO),
		MaxDTO:           uint16(cfg.MaxDTO),
		ProtocolVersion:  protocolMajor,
		TransportVersion: transportMajor,
	}.Append(ss.out[:0], xcp.Format{})
}

// resetLocked ends whatever the session had in progress (CONNECT,
// DISCONNECT, PROGRAM_RESET).
func (ss *session) resetLocked() {
	ss.mta, ss.mtaExt = 0, 0
	ss.seed = seedState{}
	ss.dl = blockState{}
	ss.pgm = pgmState{}
	ss.slave.daq.Reset()
	ss.slave.dbg.Detach(&ss.dbg)
}

func (ss *session) disconnect(*xcp.Disconnect) []byte {
	resp := ss.ok()
	ss.endSession()
	return resp
}

// endSession returns the session to the disconnected state.
func (ss *session) endSession() {
	ss.resetLocked()
	ss.connected = false
	ss.locked = ss.slave.cfg.Protect
	if ss.slave.active == ss {
		ss.slave.active = nil
	}
}

func (ss *session) getStatus(*xcp.GetStatus) []byte {
	s := ss.slave
	st := xcp.SessionStatus(s.status)
	if s.daq.Running() {
		st |= xcp.SessionDaqRunning
	}
	return xcp.GetStatusResponse{Session: st, Protection: ss.locked,
		SessionConfigID: s.configID}.Append(ss.out[:0], ss.format())
}

func (ss *session) getCommModeInfo(*xcp.GetCommModeInfo) []byte {
	cfg := &ss.slave.cfg
	var opt uint8
	if !cfg.NoMasterBlockMode {
		opt |= xcp.CommModeMasterBlockMode
	}
	return xcp.GetCommModeInfoResponse{CommModeOptional: opt, MaxBS: cfg.MaxBS, MinST: cfg.MinST,
		DriverVersion: driverVersion}.Append(ss.out[:0], ss.format())
}

// A2LName is the A2L file name the simulator reports (GET_ID types 1, 2).
const A2LName = "goxcp_sim"

func (ss *session) getID(c *xcp.GetID) []byte {
	s := ss.slave
	var id []byte
	switch c.Type {
	case xcp.IDASCII, xcp.IDECU:
		id = []byte(s.cfg.Name)
	case xcp.IDFilename:
		id = []byte(A2LName)
	case xcp.IDFilePath:
		id = []byte(A2LName + ".a2l")
	case xcp.IDFile:
		id = []byte(s.a2lLocked())
	case xcp.IDEPK:
		id = []byte(EPK)
	default:
		// Not available: length 0 (URL, system id, user-defined types).
	}
	f := ss.format()
	if s.cfg.IDInResponse && len(id) <= f.CTO()-8 {
		return xcp.GetIDResponse{Mode: xcp.IDModeInline, Length: uint32(len(id)), Data: id}.Append(ss.out[:0], f)
	}
	// Put the identification into the INFO area, padded to whole elements,
	// and point the MTA at it for UPLOAD.
	ag := f.AG.Size()
	pad := (ag - len(id)%ag) % ag
	s.setInfo(append(id, make([]byte, pad)...))
	ss.mta, ss.mtaExt = InfoBase, 0
	return xcp.GetIDResponse{Length: uint32(len(id))}.Append(ss.out[:0], f)
}

func (ss *session) setRequest(c *xcp.SetRequest) []byte {
	s := ss.slave
	const known = xcp.RequestStoreCal | xcp.RequestStoreDaqNoResume | xcp.RequestStoreDaqResume |
		xcp.RequestClearDaq | xcp.RequestClearCalPagCfgLost | xcp.RequestClearDaqCfgLost
	// Storing DAQ lists in non-volatile memory (and RESUME mode) is not
	// simulated: those requests are out of range. CLEAR_DAQ_REQ is
	// trivially fulfilled, as nothing is ever stored.
	if c.Mode&^known != 0 || c.Mode&(xcp.RequestStoreDaqNoResume|xcp.RequestStoreDaqResume) != 0 {
		return errPacket(xcp.ErrOutOfRange)
	}
	s.configID = c.SessionConfigID
	f := ss.format()
	if c.Mode&xcp.RequestStoreCal != 0 {
		if s.status&uint8(xcp.SessionStoreCalReq) != 0 {
			return errPacket(xcp.ErrCmdBusy) // the previous store is still running
		}
		ss.storeCal()
	}
	if c.Mode&xcp.RequestClearDaq != 0 {
		ss.queue = append(ss.queue, outPacket{p: evPacket(xcp.EvClearDaq, nil, f), async: true})
	}
	if c.Mode&xcp.RequestClearCalPagCfgLost != 0 {
		s.status &^= uint8(xcp.SessionCalPagCfgLost)
	}
	if c.Mode&xcp.RequestClearDaqCfgLost != 0 {
		s.status &^= uint8(xcp.SessionDaqCfgLost)
	}
	return ss.ok()
}

// storeCal stores the calibration data like an ECU writing flash: the
// working page as it is now becomes the reference page after
// Config.StoreCalDelay. Meanwhile GET_STATUS reports STORE_CAL_REQ; when
// done the slave clears it and sends EV_STORE_CAL. Callers hold s.mu.
func (ss *session) storeCal() {
	s := ss.slave
	s.status |= uint8(xcp.SessionStoreCalReq)
	snapshot := append([]byte(nil), s.cal.pages[PageWorking]...)
	ev := evPacket(xcp.EvStoreCal, nil, ss.format())
	ss.spawn(func(ctx context.Context) {
		// When the connection ends first, finish the store silently.
		sendEvent := wait.For(ctx, s.cfg.StoreCalDelay) == nil
		s.mu.Lock()
		copy(s.cal.pages[PageReference], snapshot)
		s.status &^= uint8(xcp.SessionStoreCalReq)
		s.mu.Unlock()
		if sendEvent {
			_ = ss.send(ev)
		}
	})
}

func (ss *session) getSeed(c *xcp.GetSeed) []byte {
	st := &ss.seed
	chunk := ss.format().CTO() - 2
	if c.Mode == 0 {
		if !single(c.Resource) {
			return errPacket(xcp.ErrOutOfRange)
		}
		*st = seedState{res: c.Resource}
		if ss.locked&c.Resource == 0 {
			st.res = 0 // not protected: seed length 0, nothing to unlock
			return xcp.GetSeedResponse{}.Append(ss.out[:0], ss.format())
		}
		st.seed = make([]byte, ss.slave.cfg.SeedLen)
		ss.slave.rng.fill(st.seed)
	} else if st.res == 0 || st.sent == 0 || st.sent >= len(st.seed) {
		return errPacket(xcp.ErrSequence)
	}
	part := st.seed[st.sent:min(len(st.seed), st.sent+chunk)]
	resp := xcp.GetSeedResponse{Remaining: uint8(len(st.seed) - st.sent), Seed: part}.Append(ss.out[:0], ss.format())
	st.sent += len(part)
	return resp
}

func (ss *session) unlock(c *xcp.Unlock) []byte {
	st := &ss.seed
	if st.res == 0 || st.sent < len(st.seed) {
		return errPacket(xcp.ErrSequence) // no complete seed requested
	}
	if st.want == 0 {
		if c.Remaining == 0 {
			return errPacket(xcp.ErrOutOfRange)
		}
		st.want = int(c.Remaining)
	} else if int(c.Remaining) != st.want-len(st.key) {
		*st = seedState{}
		return errPacket(xcp.ErrSequence)
	}
	st.key = append(st.key, c.Key...)
	if len(st.key) < st.want {
		return xcp.UnlockResponse{Protection: ss.locked}.Append(ss.out[:0], ss.format())
	}
	good := string(st.key) == string(DemoKey(st.res, st.seed))
	res := st.res
	*st = seedState{}
	if !good {
		// A wrong key ends the session (XCP: the slave goes to the
		// disconnected state).
		ss.endSession()
		return errPacket(xcp.ErrAccessLocked)
	}
	ss.locked &^= res
	return xcp.UnlockResponse{Protection: ss.locked}.Append(ss.out[:0], ss.format())
}

func (ss *session) setMTA(c *xcp.SetMTA) []byte {
	ss.mta, ss.mtaExt = c.Addr, c.Ext
	return ss.ok()
}

// USER_CMD sub-commands of the simulator.
const (
	// UserServText (params: text) makes the slave send the text as
	// SERV_TEXT before the positive response.
	UserServText uint8 = 0x01
	// UserEvent (params: event code, data …) makes the slave send that
	// EV packet before the positive response.
	UserEvent uint8 = 0x02
	// UserSlow (params: duration in ms as a WORD in the slave's byte
	// order) makes the command take that long; the slave sends
	// EV_CMD_PENDING at once and every quarter of the duration.
	UserSlow uint8 = 0x03
	// UserServReset (no params) makes the slave send SERV_RESET.
	UserServReset uint8 = 0x04
)

func (ss *session) userCmd(c *xcp.UserCmd) []byte {
	f := ss.format()
	switch c.Sub {
	case UserServText:
		for _, p := range servText(string(c.Params), f) {
			ss.queue = append(ss.queue, outPacket{p: p, async: true})
		}
	case UserEvent:
		if len(c.Params) < 1 {
			return syntax()
		}
		if 1+len(c.Params) > f.CTO() {
			return errPacket(xcp.ErrOutOfRange)
		}
		ss.queue = append(ss.queue, outPacket{p: evPacket(xcp.EventCode(c.Params[0]), c.Params[1:], f), async: true})
	case UserSlow:
		if len(c.Params) < 2 {
			return syntax()
		}
		ss.wait = time.Duration(f.Order.Uint16(c.Params)) * time.Millisecond
	case UserServReset:
		ss.queue = append(ss.queue, outPacket{p: servPacket(xcp.ServReset, nil, f), async: true})
	default:
		return errPacket(xcp.ErrSubcmdUnknown)
	}
	return ss.ok()
}
