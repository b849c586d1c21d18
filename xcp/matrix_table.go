package xcp

// Handling returns the error-handling rule for command cmd failing with
// code (or Timeout).
//
// TODO(matrix): replace the generic rules below with the full per-command
// table of XCP 1.5.
func Handling(cmd Command, code ErrorCode) Rule {
	switch code {
	case Timeout:
		if cmd == CmdConnect {
			return Rule{PreNone, ActRepeatInf}
		}
		return Rule{PreSynch, ActRepeat2}
	case ErrCmdBusy:
		return Rule{PreWaitT7, ActRepeatInf}
	case ErrAccessLocked:
		return Rule{PreUnlock, ActRepeat2}
	}
	return Rule{PreNone, ActDisplay}
}
