package xcp

// The XCP error-handling matrix (XCP 1.5 part 2, "error handling"): for
// each command and each error it can cause (including a timeout), a
// pre-action the master performs and an action that follows it. The master
// package executes these rules; the table itself is data, here.

// PreAction is what the master does before it applies the Action.
type PreAction uint8

// Pre-actions of the error-handling matrix.
const (
	PreNone         PreAction = iota // no pre-action
	PreWaitT7                        // wait t7 before the action
	PreSynch                         // send SYNCH
	PreGetStatus                     // GET_STATUS to learn the slave's state
	PreUnlock                        // GET_SEED + UNLOCK for the locked resource
	PreSetMTA                        // send SET_MTA again
	PreSetDaqPtr                     // send SET_DAQ_PTR again
	PreStartStopX                    // START_STOP_x to bring DAQ into a known state
	PreReinitDaq                     // re-initialise the DAQ configuration
	PreConnect                       // CONNECT again
	PreSetCalPage                    // select a valid calibration page
	PreProgramStart                  // PROGRAM_START again
	PreDisplayError                  // tell the user (log) and wait t7 before repeating
	PreDownload                      // restart the block transfer with DOWNLOAD
	PreProgram                       // restart the block transfer with PROGRAM
)

var preNames = [...]string{"none", "wait t7", "SYNCH", "GET_STATUS", "unlock slave", "SET_MTA",
	"SET_DAQ_PTR", "START_STOP_x", "re-init DAQ", "CONNECT", "SET_CAL_PAGE", "PROGRAM_START",
	"display error", "DOWNLOAD", "PROGRAM"}

// String returns a readable name of the PreAction for messages.
func (p PreAction) String() string {
	if int(p) < len(preNames) {
		return preNames[p]
	}
	return "PreAction(?)"
}

// Action is what the master does after the pre-action.
type Action uint8

// Actions of the error-handling matrix.
const (
	ActDisplay          Action = iota // report the error to the caller, no retry
	ActRetrySyntax                    // caller must retry with another syntax: report
	ActRetryParams                    // caller must retry with other parameters: report
	ActUseA2L                         // information must come from the A2L: report
	ActUseAlternative                 // caller should use an alternative command: report
	ActRepeat2                        // repeat the command (at most 2 times)
	ActRepeatInf                      // repeat the command (bounded by the master's max retries)
	ActRestartSession                 // the session must be restarted: report
	ActTerminateSession               // the session is over: report
	ActSkip                           // skip the command: report as not supported
	ActNewFlashware                   // a new flashware version is needed: report
)

var actNames = [...]string{"display error", "retry other syntax", "retry other parameters", "use A2L",
	"use alternative", "repeat 2 times", "repeat infinite times", "restart session",
	"terminate session", "skip", "new flashware version"}

// String returns a readable name of the Action for messages.
func (a Action) String() string {
	if int(a) < len(actNames) {
		return actNames[a]
	}
	return "Action(?)"
}

// Repeats reports how often the action repeats the command: 0 for none, 2
// for ActRepeat2 and -1 for ActRepeatInf (the master bounds it).
func (a Action) Repeats() int {
	switch a {
	case ActRepeat2:
		return 2
	case ActRepeatInf:
		return -1
	}
	return 0
}

// Rule is one cell of the error-handling matrix. Some cells name two
// pre-actions (e.g. SYNCH, then SET_MTA); Pre2 is the second (PreNone if
// there is none).
type Rule struct {
	Pre    PreAction
	Action Action
	Pre2   PreAction
}

// PreActions returns the rule's pre-actions in order (PreNone entries
// omitted) in a fixed-size array and its length, without allocating.
func (r Rule) PreActions() ([2]PreAction, int) {
	var a [2]PreAction
	n := 0
	for _, p := range [2]PreAction{r.Pre, r.Pre2} {
		if p != PreNone {
			a[n] = p
			n++
		}
	}
	return a, n
}

// String renders the rule as "pre[, pre2] → action".
func (r Rule) String() string {
	s := r.Pre.String()
	if r.Pre2 != PreNone {
		s += ", " + r.Pre2.String()
	}
	return s + " → " + r.Action.String()
}

// Timeout is the pseudo error code the matrix uses for "no response within
// the command's timeout". It is never sent on the wire.
const Timeout ErrorCode = 0xFF
