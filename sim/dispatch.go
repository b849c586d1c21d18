package sim

import "github.com/goxcp/goxcp/protocol/xcp"

// The command table: every command code the slave knows, the part of the
// slave that answers it and the checks made before its handler runs. A
// code missing from the table is answered with ERR_CMD_UNKNOWN (a level-1
// sub-command with ERR_SUBCMD_UNKNOWN).

// part is the part of the slave that answers a command; it decides the
// locking around the handler.
type part uint8

const (
	// partStd: standard, CAL, PAG and PGM commands. The handler runs with
	// Slave.mu held (stdCommand); packets it queues are sent before its
	// response.
	partStd part = iota
	// partDAQ: the DAQ group (daqCommand), under Slave.mu after the DAQ
	// protection check; the response waits for stopped event channels.
	partDAQ
	// partDbg: SW-DBG (0xC0 0xFC …), answered by the debug target under
	// its own lock; its packets are bounded by MAX_CTO_DBG, not MAX_CTO.
	partDbg
)

// handler answers one command packet of the standard part with Slave.mu
// held. It returns the response packet; nil sends nothing (an
// intermediate packet of a master block).
type handler func(ss *session, req []byte) []byte

// entry is one row of the command table.
type entry struct {
	part part
	// protect is checked before the packet is decoded: ERR_ACCESS_LOCKED
	// while the resource is locked by seed & key (partStd only).
	protect xcp.Resource
	// programming requires a successful PROGRAM_START (ERR_SEQUENCE).
	programming bool
	// answer is the handler (partStd only); nil answers ERR_CMD_UNKNOWN
	// (a command of the standard the simulator does not implement).
	answer handler
}

// packet is a command packet type of the protocol package.
type packet[C any] interface {
	*C
	Decode(p []byte, f xcp.Format) error
}

// decoded makes a handler from one that takes the decoded command: a
// packet that does not decode is answered with ERR_CMD_SYNTAX (and ends a
// master block in progress, like any error).
func decoded[C any, P packet[C]](fn func(ss *session, c *C) []byte) handler {
	return func(ss *session, req []byte) []byte {
		var c C
		if P(&c).Decode(req, ss.format()) != nil {
			ss.dl = blockState{}
			return syntax()
		}
		return fn(ss, &c)
	}
}

// commands is the command table, indexed by command code; level1 holds
// the sub-commands of CmdLevel1.
var commands = func() (t [256]*entry) {
	std := func(h handler) *entry { return &entry{part: partStd, answer: h} }
	pag := func(h handler) *entry { return &entry{protect: xcp.ResCalPag, answer: h} }
	pgm := func(h handler) *entry { return &entry{protect: xcp.ResPgm, programming: true, answer: h} }
	for c, e := range map[xcp.Command]*entry{
		// Standard commands (std.go).
		xcp.CmdConnect:           std(decoded((*session).connect)),
		xcp.CmdDisconnect:        std(decoded((*session).disconnect)),
		xcp.CmdGetStatus:         std(decoded((*session).getStatus)),
		xcp.CmdSynch:             std(func(*session, []byte) []byte { return errPacket(xcp.ErrCmdSynch) }),
		xcp.CmdGetCommModeInfo:   std(decoded((*session).getCommModeInfo)),
		xcp.CmdGetID:             std(decoded((*session).getID)),
		xcp.CmdSetRequest:        std(decoded((*session).setRequest)),
		xcp.CmdGetSeed:           std(decoded((*session).getSeed)),
		xcp.CmdUnlock:            std(decoded((*session).unlock)),
		xcp.CmdSetMTA:            std(decoded((*session).setMTA)),
		xcp.CmdUserCmd:           std(decoded((*session).userCmd)),
		xcp.CmdTransportLayerCmd: std((*session).transportLayerCmd),      // tl_can.go
		xcp.CmdBuildChecksum:     std(decoded((*session).buildChecksum)), // checksum.go

		// Memory access and calibration (cal.go).
		xcp.CmdUpload:        std(decoded((*session).upload)),
		xcp.CmdShortUpload:   std(decoded((*session).shortUpload)),
		xcp.CmdDownload:      std(decoded((*session).download)),
		xcp.CmdDownloadNext:  std(decoded((*session).downloadNext)),
		xcp.CmdDownloadMax:   std(decoded((*session).downloadMax)),
		xcp.CmdShortDownload: std(decoded((*session).shortDownload)),
		xcp.CmdModifyBits:    std(decoded((*session).modifyBits)),

		// Page switching (pag.go).
		xcp.CmdSetCalPage:          pag(decoded((*session).setCalPage)),
		xcp.CmdGetCalPage:          pag(decoded((*session).getCalPage)),
		xcp.CmdGetPagProcessorInfo: pag(decoded((*session).getPagProcessorInfo)),
		xcp.CmdGetSegmentInfo:      pag(decoded((*session).getSegmentInfo)),
		xcp.CmdGetPageInfo:         pag(decoded((*session).getPageInfo)),
		xcp.CmdSetSegmentMode:      pag(decoded((*session).setSegmentMode)),
		xcp.CmdGetSegmentMode:      pag(decoded((*session).getSegmentMode)),
		xcp.CmdCopyCalPage:         pag(decoded((*session).copyCalPage)),

		// Programming (pgm.go). Downloading a flash kernel
		// (PROGRAM_PREPARE) is not simulated.
		xcp.CmdGetPgmProcessorInfo: std(decoded((*session).getPgmProcessorInfo)),
		xcp.CmdGetSectorInfo:       std(decoded((*session).getSectorInfo)),
		xcp.CmdProgramPrepare:      std(nil),
		xcp.CmdProgramStart:        {protect: xcp.ResPgm, answer: decoded((*session).programStart)},
		xcp.CmdProgramClear:        pgm(decoded((*session).programClear)),
		xcp.CmdProgram:             pgm(decoded((*session).program)),
		xcp.CmdProgramNext:         pgm(decoded((*session).programNext)),
		xcp.CmdProgramMax:          pgm(decoded((*session).programMax)),
		xcp.CmdProgramReset:        pgm(decoded((*session).programReset)),
		xcp.CmdProgramFormat:       pgm(decoded((*session).programFormat)),
		xcp.CmdProgramVerify:       pgm(decoded((*session).programVerify)),
	} {
		t[c] = e
	}
	// The DAQ group (daq.go); DTO_CTR_PROPERTIES and
	// TIME_CORRELATION_PROPERTIES are not implemented.
	for c := xcp.CmdAllocOdtEntry; c <= xcp.CmdClearDaqList; c++ {
		t[c] = &entry{part: partDAQ}
	}
	for _, c := range []xcp.Command{xcp.CmdWriteDaqMultiple, xcp.CmdDtoCtrProperties, xcp.CmdTimeCorrelationProps} {
		t[c] = &entry{part: partDAQ}
	}
	return t
}()

var level1 = map[xcp.Level1]*entry{
	xcp.L1GetVersion:       {answer: (*session).getVersion},
	xcp.L1SetDaqPackedMode: {part: partDAQ},
	xcp.L1GetDaqPackedMode: {part: partDAQ},
	xcp.L1SwDbg:            {part: partDbg},
}

var (
	unknownCommand = &entry{answer: func(*session, []byte) []byte { return errPacket(xcp.ErrCmdUnknown) }}
	unknownLevel1  = &entry{answer: func(*session, []byte) []byte { return errPacket(xcp.ErrSubcmdUnknown) }}
	shortLevel1    = &entry{answer: func(*session, []byte) []byte { return syntax() }}
)

// lookup returns the table entry for a command packet (len(req) > 0).
func lookup(req []byte) *entry {
	if xcp.Command(req[0]) == xcp.CmdLevel1 {
		if len(req) < 2 {
			return shortLevel1
		}
		if e := level1[xcp.Level1(req[1])]; e != nil {
			return e
		}
		return unknownLevel1
	}
	if e := commands[req[0]]; e != nil {
		return e
	}
	return unknownCommand
}

// dispatch executes one command of the standard part with s.mu held.
func (ss *session) dispatch(e *entry, req []byte) []byte {
	cmd := xcp.Command(req[0])
	if cmd == xcp.CmdConnect {
		return e.answer(ss, req)
	}
	if !ss.connected {
		return nil // (handle already filters; a session may end concurrently)
	}
	if ss.dl.active && cmd != ss.dl.next {
		ss.dl = blockState{} // any other command ends a master block
	}
	switch {
	case ss.locked&e.protect != 0:
		return errPacket(xcp.ErrAccessLocked)
	case e.programming && !ss.pgm.started:
		return errPacket(xcp.ErrSequence)
	case e.answer == nil:
		return errPacket(xcp.ErrCmdUnknown)
	}
	return e.answer(ss, req)
}
