package swdbg

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// The SW-DBG error-handling table (table 57 of the standard) as data: for
// every SW-DBG command and every error it can cause (including a timeout,
// xcp.Timeout) a pre-action and an action. The master side (goxcp/dbg)
// executes these rules.

// PreAction is what the debug master does before the Action.
type PreAction uint8

// Pre-actions of table 57.
const (
	PreNone     PreAction = iota // "-"
	PreSynch                     // SYNCH
	PreWaitT7                    // wait t7
	PreUnlock                    // unlock the slave (GET_SEED/UNLOCK for DBG)
	PreAttach                    // execute DBG_ATTACH
	PreReadPins                  // read the Vref pin and the reset pin
	PreRestart                   // restart the transfer with its first command (DBG_WRITE, DBG_WRITE_CAN1, DBG_READ_CAN1)
	PreDisplay                   // display the error
)

var preNames = [...]string{"-", "SYNCH", "wait t7", "unlock slave", "execute DBG_ATTACH", "read vref pin, read reset pin",
	"restart the transfer", "display error"}

func (p PreAction) String() string {
	if int(p) < len(preNames) {
		return preNames[p]
	}
	return fmt.Sprintf("PreAction(%d)", uint8(p))
}

// Action is what follows the pre-action.
type Action uint8

// Actions of table 57.
const (
	ActDisplay               Action = iota // display the error
	ActToolSpecific                        // tool specific error handling: report the error
	ActRetryParams                         // retry with other parameters: report the error
	ActRetrySyntax                         // retry with another syntax: report the error
	ActUnusable                            // the command may no longer be used in the session
	ActRepeat2                             // repeat the command, at most 2 times
	ActRepeatInf                           // repeat the command (bounded by the master)
	ActRepeat                              // repeat the command (bounded by the master)
	ActRepeatWhenAccessible                // repeat once the target is accessible again
	ActRestartWhenAccessible               // restart the transfer once the target is accessible again
)

var actNames = [...]string{"display error", "tool specific error handling", "retry other parameter",
	"retry other syntax", "command may no longer be used", "repeat 2 times", "repeat ∞ times", "repeat",
	"repeat when target is accessible", "restart the transfer when target is accessible"}

func (a Action) String() string {
	if int(a) < len(actNames) {
		return actNames[a]
	}
	return fmt.Sprintf("Action(%d)", uint8(a))
}

// Rule is one cell of table 57.
type Rule struct {
	Pre    PreAction
	Action Action
}

// Cause is an error a command can fail with: a base error code (or
// xcp.Timeout) and, for xcp.ErrDbg, the SW-DBG code.
type Cause struct {
	Code xcp.ErrorCode
	Dbg  ErrorCode
}

func (c Cause) String() string {
	switch c.Code {
	case xcp.Timeout:
		return "timeout t1"
	case xcp.ErrDbg:
		return c.Dbg.Name()
	}
	return c.Code.Name()
}

// CauseOf returns the cause of a negative response.
func CauseOf(e *Error) Cause {
	if e.Code == xcp.ErrDbg {
		return Cause{xcp.ErrDbg, e.Dbg}
	}
	return Cause{Code: e.Code}
}

func dbgCause(c ErrorCode) Cause { return Cause{xcp.ErrDbg, c} }

var (
	cTimeout  = Cause{Code: xcp.Timeout}
	cBusy     = Cause{Code: xcp.ErrCmdBusy}
	cUnknown  = Cause{Code: xcp.ErrCmdUnknown}
	cRange    = Cause{Code: xcp.ErrOutOfRange}
	cSyntax   = Cause{Code: xcp.ErrCmdSyntax}
	cGeneric  = Cause{Code: xcp.ErrGeneric}
	cTemp     = Cause{Code: xcp.ErrResourceTemporaryNotAccessible}
	cSequence = Cause{Code: xcp.ErrSequence}
	cOverflow = Cause{Code: xcp.ErrMemoryOverflow}
	cLocked   = Cause{Code: xcp.ErrAccessLocked}
	cAttach   = dbgCause(ErrAttachMissing)
	cBus      = dbgCause(ErrBusError)
	cTRI      = dbgCause(ErrTRIUnsupported)
	cEW       = dbgCause(ErrEWUnsupported)

	rSynch    = Rule{PreSynch, ActRepeat2}
	rBusy     = Rule{PreWaitT7, ActRepeatInf}
	rAttach   = Rule{PreAttach, ActRepeat2}
	rUnusable = Rule{PreNone, ActUnusable}
	rParams   = Rule{PreNone, ActRetryParams}
	rTool     = Rule{PreDisplay, ActToolSpecific}
	rPins     = Rule{PreReadPins, ActRepeatWhenAccessible}
	rRestart  = Rule{PreReadPins, ActRestartWhenAccessible}
	rSequence = Rule{PreRestart, ActRepeat2}
)

// table57 transcribes table 57 row by row.
var table57 = map[Command]map[Cause]Rule{
	CmdAttach:        {cTimeout: rSynch, cLocked: {PreUnlock, ActRepeat2}, cBusy: rBusy},
	CmdGetVendorInfo: {cTimeout: rSynch, cBusy: rBusy, cAttach: rAttach},
	CmdGetModeInfo:   {cTimeout: rSynch, cBusy: rBusy, cAttach: rAttach},
	CmdGetJTAGID: {cTimeout: rSynch, cBusy: rBusy, cGeneric: rTool, cTemp: {PreNone, ActRepeat},
		cAttach: rAttach},
	CmdHaltAfterReset: {cTimeout: rSynch, cUnknown: rUnusable, cBusy: rBusy, cTemp: {PreNone, ActRepeat},
		dbgCause(ErrHaltAfterReset): {PreNone, ActToolSpecific}, cAttach: rAttach},
	CmdGetHWIOInfo: {cTimeout: rSynch, cUnknown: rUnusable, cBusy: rBusy, cRange: rParams, cAttach: rAttach},
	CmdSetHWIOEvent: {cTimeout: rSynch, cUnknown: rUnusable, cBusy: rBusy, cRange: rParams, cGeneric: rParams,
		cAttach: rAttach},
	CmdHWIOControl: {cTimeout: rSynch, cBusy: rBusy, cUnknown: rUnusable, dbgCause(ErrHWIOControl): rTool,
		cAttach: rAttach},
	CmdExclusiveAccess: {cTimeout: rSynch, cBusy: rBusy, cTemp: {PreNone, ActRepeat}, cAttach: rAttach},
	CmdSequenceMultiple: {cTimeout: rSynch, cUnknown: rUnusable, cBusy: rBusy, cTemp: {PreNone, ActRepeat},
		cSyntax: {PreNone, ActRetrySyntax}, cRange: rParams, dbgCause(ErrJPL): rTool, cAttach: rAttach},
	CmdLLT: {cTimeout: rSynch, cUnknown: rUnusable, cBusy: rBusy, cTemp: rPins, dbgCause(ErrLLT): rTool,
		cAttach: rAttach},
	CmdReadModifyWrite: {cTimeout: rSynch, cTemp: rPins, cUnknown: rUnusable, cBusy: rBusy, cRange: rParams,
		cBus: rTool, cTRI: rTool, cEW: rTool, cAttach: rAttach},
	CmdWrite: {cTimeout: rSynch, cTemp: rPins, cUnknown: rUnusable, cBusy: rBusy, cRange: rParams,
		cOverflow: {PreNone, ActDisplay}, cBus: rTool, cTRI: rTool, cEW: rTool, cAttach: rAttach},
	CmdWriteNext: {cTimeout: rSynch, cTemp: rRestart, cUnknown: rUnusable, cBusy: rBusy,
		cSyntax: {PreNone, ActRetrySyntax}, cSequence: rSequence, cBus: rTool, cAttach: rAttach},
	CmdWriteCAN1: {cTimeout: rSynch, cUnknown: rUnusable, cBusy: rBusy, cTRI: rTool, cAttach: rAttach},
	CmdWriteCAN2: {cTimeout: rSynch, cUnknown: rUnusable, cBusy: rBusy, cRange: rParams,
		cOverflow: {PreNone, ActDisplay}, cSequence: rSequence, cEW: rTool, cAttach: rAttach},
	CmdWriteCANNext: {cTimeout: rSynch, cTemp: rRestart, cUnknown: rUnusable, cBusy: rBusy,
		cSequence: rSequence, cBus: rTool, cAttach: rAttach},
	CmdRead: {cTimeout: rSynch, cTemp: rPins, cUnknown: rUnusable, cBusy: rBusy, cRange: rParams,
		cBus: rTool, cTRI: rTool, cEW: rTool, cAttach: rAttach},
	CmdReadCAN1: {cTimeout: rSynch, cUnknown: rUnusable, cBusy: rBusy, cRange: rParams, cTRI: rTool,
		cAttach: rAttach},
	CmdReadCAN2: {cTimeout: rSynch, cTemp: rRestart, cUnknown: rUnusable, cBusy: rBusy, cRange: rParams,
		cSequence: rSequence, cBus: rTool, cEW: rTool, cAttach: rAttach},
}

// Handling returns the rule of table 57 for cmd failing with cause, and
// false if the table has no row for it (the error is then displayed).
func Handling(cmd Command, cause Cause) (Rule, bool) {
	r, ok := table57[cmd][cause]
	return r, ok
}

// Row is one row of table 57.
type Row struct {
	Cmd   Command
	Cause Cause
	Rule  Rule
}

// Table57 returns every row of table 57, ordered by command.
func Table57() []Row {
	var rows []Row
	for c := Command(0); c < numCommands; c++ {
		start := len(rows)
		for cause, r := range table57[c] {
			rows = append(rows, Row{c, cause, r})
		}
		slices.SortFunc(rows[start:], func(a, b Row) int {
			return cmp.Or(cmp.Compare(a.Cause.Code, b.Cause.Code), cmp.Compare(a.Cause.Dbg, b.Cause.Dbg))
		})
	}
	return rows
}
