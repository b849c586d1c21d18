package xcp

// The XCP 1.5 error-handling matrix (part 2, "Error handling"): for every
// command, the pre-action and action for each error code it can cause,
// including the pseudo code Timeout. The facts were checked against the
// matrix that pyXCP ships as data (errormatrix.py) and the error-handling
// tables summarised from the XCP 1.x standard.
//
// Cells the standard leaves empty for a command fall back to
// ActDisplay (report the error). Two deliberate readings:
//   - ERR_RESOURCE_TEMPORARY_NOT_ACCESSIBLE is "display error, repeat"; the
//     master logs it and waits t7 before each repetition (PreDisplayError)
//     instead of hammering a slave that said it is temporarily busy.
//   - ERR_CMD_BUSY ("command was not executed") is answered with "wait t7,
//     repeat" also for the few commands whose row omits it (GET_STATUS,
//     CONNECT, SYNCH): a busy slave may answer any command that way.
//   - SET_DAQ_PTR with ERR_DAQ_ACTIVE uses START_STOP_x like the other DAQ
//     configuration commands (pyXCP lists no pre-action there).
//
// "Repeat infinite times" is bounded by the master's max_retries.

// Handling returns the error-handling rule for command cmd failing with
// code (or Timeout). Unknown commands and cells without an entry give
// Rule{PreNone, ActDisplay}.
func Handling(cmd Command, code ErrorCode) Rule {
	if row, ok := errorMatrix[cmd]; ok {
		if r, ok := row[code]; ok {
			return r
		}
		if code == ErrCmdBusy {
			return cBusy
		}
		return Rule{PreNone, ActDisplay, PreNone}
	}
	// Commands outside the XCP 1.0 matrix (level-1 commands, WRITE_DAQ_MULTIPLE's
	// later siblings, TIME_CORRELATION_PROPERTIES, DTO_CTR_PROPERTIES) follow
	// the pattern every optional command shares.
	if r, ok := genericRow[code]; ok {
		return r
	}
	return Rule{PreNone, ActDisplay, PreNone}
}

type matrixRow map[ErrorCode]Rule

// Frequently used cells.
var (
	cTimeout       = Rule{PreSynch, ActRepeat2, PreNone}
	cTimeoutMTA    = Rule{PreSynch, ActRepeat2, PreSetMTA}
	cTimeoutDaqPtr = Rule{PreSynch, ActRepeat2, PreSetDaqPtr}
	cBusy          = Rule{PreWaitT7, ActRepeatInf, PreNone}
	cDisplay       = Rule{PreNone, ActDisplay, PreNone}
	cSyntax        = Rule{PreNone, ActRetrySyntax, PreNone}
	cParams        = Rule{PreNone, ActRetryParams, PreNone}
	cLocked        = Rule{PreUnlock, ActRepeat2, PreNone}
	cTempRepeat    = Rule{PreDisplayError, ActRepeatInf, PreNone}
	cTempSkip      = Rule{PreNone, ActSkip, PreNone}
	cUseA2L        = Rule{PreNone, ActUseA2L, PreNone}
	cAlternative   = Rule{PreNone, ActUseAlternative, PreNone}
	cStartStop     = Rule{PreStartStopX, ActRepeat2, PreNone}
	cReinitDaq     = Rule{PreReinitDaq, ActRepeat2, PreNone}
	cRepeat2       = Rule{PreNone, ActRepeat2, PreNone}
	cRestart       = Rule{PreNone, ActRestartSession, PreNone}
)

// row builds a matrix row from the cells every command of a group shares
// and the command's own cells (which win).
func row(cells ...matrixRow) matrixRow {
	r := matrixRow{}
	for _, c := range cells {
		for k, v := range c {
			r[k] = v
		}
	}
	return r
}

var (
	// std: timeout, busy, PGM active and temporarily-not-accessible as
	// most standard, CAL, PAG and DAQ commands handle them.
	std = matrixRow{Timeout: cTimeout, ErrCmdBusy: cBusy, ErrPgmActive: cBusy,
		ErrCmdSyntax: cSyntax, ErrResourceTemporaryNotAccessible: cTempRepeat}
	// pgm: the PGM commands (no ERR_PGM_ACTIVE: they are the programming).
	pgm = matrixRow{Timeout: cTimeout, ErrCmdBusy: cBusy, ErrCmdSyntax: cSyntax,
		ErrResourceTemporaryNotAccessible: cTempRepeat}
	// info: information commands whose data may also come from the A2L.
	info = matrixRow{ErrCmdUnknown: cUseA2L, ErrAccessLocked: cLocked,
		ErrResourceTemporaryNotAccessible: cTempSkip}
	// mem: memory access commands.
	mem = matrixRow{ErrOutOfRange: cParams, ErrAccessDenied: cDisplay, ErrAccessLocked: cLocked}
	// write: memory writes.
	write = matrixRow{ErrWriteProtected: cDisplay, ErrMemoryOverflow: cDisplay}

	genericRow = row(std, matrixRow{ErrOutOfRange: cParams, ErrAccessLocked: cLocked})
)

var errorMatrix = map[Command]matrixRow{
	// Standard commands.
	CmdConnect: {
		Timeout:                           Rule{PreNone, ActRepeatInf, PreNone},
		ErrResourceTemporaryNotAccessible: cTempRepeat,
	},
	CmdDisconnect: {Timeout: cTimeout, ErrCmdBusy: cBusy, ErrPgmActive: cBusy},
	CmdGetStatus:  {Timeout: cTimeout, ErrResourceTemporaryNotAccessible: cTempRepeat},
	CmdSynch: {
		Timeout:                           cRepeat2,
		ErrCmdSynch:                       Rule{PreNone, ActSkip, PreNone},
		ErrCmdUnknown:                     cRestart,
		ErrResourceTemporaryNotAccessible: cTempRepeat,
	},
	CmdGetCommModeInfo: row(std, matrixRow{ErrPgmActive: cDisplay, ErrResourceTemporaryNotAccessible: cTempSkip}),
	CmdGetID: row(std, matrixRow{ErrPgmActive: cDisplay, ErrCmdUnknown: cDisplay, ErrOutOfRange: cParams,
		ErrResourceTemporaryNotAccessible: cTempSkip}),
	CmdSetRequest: row(std, matrixRow{ErrCmdUnknown: cDisplay, ErrOutOfRange: cParams}),
	CmdGetSeed:    row(std, matrixRow{ErrCmdUnknown: cDisplay, ErrOutOfRange: cParams}),
	CmdUnlock: row(std, matrixRow{ErrCmdUnknown: cDisplay, ErrOutOfRange: cParams,
		ErrAccessLocked: cRestart, ErrSequence: Rule{PreUnlock, ActRepeat2, PreNone}}),
	CmdSetMTA:            row(std, matrixRow{ErrCmdUnknown: cDisplay, ErrOutOfRange: cParams}),
	CmdUpload:            row(std, mem, matrixRow{Timeout: cTimeoutMTA, ErrCmdUnknown: cDisplay}),
	CmdShortUpload:       row(std, mem, matrixRow{ErrCmdUnknown: cAlternative}),
	CmdBuildChecksum:     row(std, mem, matrixRow{Timeout: cTimeoutMTA, ErrCmdUnknown: cDisplay}),
	CmdTransportLayerCmd: row(std, matrixRow{ErrOutOfRange: cParams}),
	CmdUserCmd:           row(std, matrixRow{ErrOutOfRange: cParams}),

	// Calibration commands.
	CmdDownload: row(std, mem, write, matrixRow{Timeout: cTimeoutMTA}),
	CmdDownloadNext: row(std, mem, write, matrixRow{
		Timeout:       Rule{PreSynch, ActRepeat2, PreDownload},
		ErrCmdUnknown: Rule{PreSetMTA, ActUseAlternative, PreNone},
		ErrSequence:   Rule{PreSetMTA, ActRepeat2, PreNone},
	}),
	CmdDownloadMax: row(std, mem, write, matrixRow{Timeout: cTimeoutMTA,
		ErrCmdUnknown: Rule{PreSetMTA, ActUseAlternative, PreNone}}),
	CmdShortDownload: row(std, mem, write, matrixRow{ErrCmdUnknown: cAlternative}),
	CmdModifyBits:    row(std, mem, write, matrixRow{Timeout: cTimeoutMTA, ErrCmdUnknown: cAlternative}),

	// Page switching commands.
	CmdSetCalPage: row(std, matrixRow{ErrAccessLocked: cLocked, ErrPageNotValid: cParams,
		ErrModeNotValid: cParams, ErrSegmentNotValid: cParams}),
	CmdGetCalPage: row(std, matrixRow{ErrAccessLocked: cLocked, ErrPageNotValid: cParams,
		ErrModeNotValid: cParams, ErrSegmentNotValid: cParams}),
	CmdGetPagProcessorInfo: row(std, info),
	CmdGetSegmentInfo:      row(std, info, matrixRow{ErrOutOfRange: cParams, ErrSegmentNotValid: cParams}),
	CmdGetPageInfo:         row(std, info, matrixRow{ErrPageNotValid: cParams, ErrSegmentNotValid: cParams}),
	CmdSetSegmentMode: row(std, matrixRow{ErrCmdUnknown: cDisplay, ErrAccessLocked: cLocked,
		ErrModeNotValid: cParams, ErrSegmentNotValid: cParams}),
	CmdGetSegmentMode: row(std, matrixRow{ErrCmdUnknown: cDisplay, ErrAccessLocked: cLocked,
		ErrSegmentNotValid: cParams}),
	CmdCopyCalPage: row(std, matrixRow{ErrCmdUnknown: cDisplay, ErrAccessLocked: cLocked,
		ErrPageNotValid: cParams, ErrSegmentNotValid: cParams}),

	// Data acquisition and stimulation commands.
	CmdSetDaqPtr: row(std, matrixRow{ErrDaqActive: cStartStop, ErrOutOfRange: cParams, ErrAccessLocked: cLocked}),
	CmdWriteDaq: row(std, matrixRow{Timeout: cTimeoutDaqPtr, ErrDaqActive: cStartStop, ErrOutOfRange: cParams,
		ErrAccessDenied: cDisplay, ErrAccessLocked: cLocked, ErrWriteProtected: cDisplay, ErrDaqConfig: cDisplay}),
	CmdWriteDaqMultiple: row(std, matrixRow{Timeout: cTimeoutDaqPtr, ErrCmdUnknown: cDisplay, ErrDaqActive: cStartStop,
		ErrOutOfRange: cParams, ErrAccessDenied: cDisplay, ErrAccessLocked: cLocked, ErrWriteProtected: cDisplay,
		ErrDaqConfig: cDisplay}),
	CmdSetDaqListMode: row(std, matrixRow{ErrDaqActive: cStartStop, ErrOutOfRange: cParams,
		ErrAccessLocked: cLocked, ErrModeNotValid: cParams}),
	CmdStartStopDaqList: row(std, matrixRow{ErrOutOfRange: cParams, ErrAccessLocked: cLocked,
		ErrModeNotValid: cParams, ErrDaqConfig: cDisplay}),
	CmdStartStopSynch: row(std, matrixRow{ErrAccessLocked: cLocked, ErrModeNotValid: cParams, ErrDaqConfig: cDisplay}),
	CmdClearDaqList:   row(std, matrixRow{ErrOutOfRange: cParams, ErrAccessDenied: cDisplay, ErrAccessLocked: cLocked}),
	CmdGetDaqListInfo: row(std, info, matrixRow{ErrOutOfRange: cParams}),
	CmdReadDaq:        row(std, matrixRow{Timeout: cTimeoutDaqPtr, ErrCmdUnknown: cDisplay, ErrAccessLocked: cLocked}),
	CmdGetDaqClock: row(std, matrixRow{ErrCmdUnknown: cDisplay, ErrAccessLocked: cLocked,
		ErrResourceTemporaryNotAccessible: cTempSkip}),
	CmdGetDaqProcessorInfo:  row(std, info),
	CmdGetDaqResolutionInfo: row(std, info),
	CmdGetDaqListMode:       row(std, matrixRow{ErrOutOfRange: cParams, ErrAccessLocked: cLocked}),
	CmdGetDaqEventInfo:      row(std, info, matrixRow{ErrOutOfRange: cParams}),
	CmdFreeDaq:              row(std, matrixRow{ErrCmdUnknown: cDisplay, ErrAccessLocked: cLocked}),
	CmdAllocDaq:             row(std, daqAlloc),
	CmdAllocOdt:             row(std, daqAlloc),
	CmdAllocOdtEntry:        row(std, daqAlloc),

	// Programming commands.
	CmdProgramStart: row(pgm, matrixRow{ErrDaqActive: cStartStop, ErrAccessLocked: cLocked, ErrGeneric: cRestart}),
	CmdProgramClear: row(pgm, matrixRow{Timeout: cTimeoutMTA, ErrOutOfRange: cParams, ErrAccessDenied: cDisplay,
		ErrAccessLocked: cLocked, ErrSequence: cRepeat2}),
	CmdProgram: row(pgm, matrixRow{Timeout: cTimeoutMTA, ErrOutOfRange: cParams, ErrAccessDenied: cDisplay,
		ErrAccessLocked: cLocked, ErrSequence: cRepeat2, ErrMemoryOverflow: cDisplay}),
	CmdProgramReset:        row(pgm, matrixRow{ErrPgmActive: cBusy, ErrAccessLocked: cLocked, ErrSequence: cRepeat2}),
	CmdGetPgmProcessorInfo: row(pgm, info),
	CmdGetSectorInfo:       row(pgm, info, matrixRow{ErrModeNotValid: cParams, ErrSegmentNotValid: cParams}),
	CmdProgramPrepare: row(pgm, matrixRow{Timeout: cTimeoutMTA, ErrCmdUnknown: cDisplay, ErrOutOfRange: cParams,
		ErrAccessLocked: cLocked, ErrSequence: cRepeat2, ErrGeneric: cRestart}),
	CmdProgramFormat: row(pgm, matrixRow{ErrCmdUnknown: cDisplay, ErrOutOfRange: cParams,
		ErrAccessLocked: cLocked, ErrSequence: cRepeat2}),
	CmdProgramNext: row(pgm, matrixRow{Timeout: Rule{PreSynch, ActRepeat2, PreProgram}, ErrCmdUnknown: cAlternative,
		ErrOutOfRange: cParams, ErrAccessDenied: cDisplay, ErrAccessLocked: cLocked, ErrMemoryOverflow: cDisplay,
		ErrSequence: cRepeat2}),
	CmdProgramMax: row(pgm, matrixRow{Timeout: cTimeoutMTA, ErrCmdUnknown: cAlternative, ErrAccessLocked: cLocked,
		ErrSequence: cRepeat2, ErrMemoryOverflow: cDisplay}),
	CmdProgramVerify: row(pgm, matrixRow{ErrCmdUnknown: cDisplay, ErrOutOfRange: cParams, ErrAccessLocked: cLocked,
		ErrSequence: cRepeat2, ErrGeneric: cRestart, ErrVerify: Rule{PreNone, ActNewFlashware, PreNone}}),
}

// daqAlloc: FREE_DAQ/ALLOC_* sequence errors are cured by re-initialising
// the whole DAQ configuration.
var daqAlloc = matrixRow{ErrCmdUnknown: cDisplay, ErrOutOfRange: cParams, ErrAccessLocked: cLocked,
	ErrSequence: cReinitDaq, ErrMemoryOverflow: Rule{PreReinitDaq, ActRetryParams, PreNone}}
