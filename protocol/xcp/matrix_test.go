package xcp

import "testing"

func TestMatrixCells(t *testing.T) {
	tests := []struct {
		cmd  Command
		code ErrorCode
		want Rule
	}{
		{CmdConnect, Timeout, Rule{PreNone, ActRepeatInf, PreNone}},
		{CmdGetStatus, Timeout, Rule{PreSynch, ActRepeat2, PreNone}},
		{CmdGetStatus, ErrCmdBusy, Rule{PreWaitT7, ActRepeatInf, PreNone}},
		{CmdSynch, ErrCmdSynch, Rule{PreNone, ActSkip, PreNone}},
		{CmdSynch, ErrCmdUnknown, Rule{PreNone, ActRestartSession, PreNone}},
		{CmdUpload, Timeout, Rule{PreSynch, ActRepeat2, PreSetMTA}},
		{CmdUpload, ErrAccessLocked, Rule{PreUnlock, ActRepeat2, PreNone}},
		{CmdUpload, ErrAccessDenied, Rule{PreNone, ActDisplay, PreNone}},
		{CmdShortUpload, Timeout, Rule{PreSynch, ActRepeat2, PreNone}},
		{CmdShortUpload, ErrCmdUnknown, Rule{PreNone, ActUseAlternative, PreNone}},
		{CmdBuildChecksum, ErrOutOfRange, Rule{PreNone, ActRetryParams, PreNone}},
		{CmdUnlock, ErrAccessLocked, Rule{PreNone, ActRestartSession, PreNone}},
		{CmdUnlock, ErrSequence, Rule{PreUnlock, ActRepeat2, PreNone}},
		{CmdDownload, ErrWriteProtected, Rule{PreNone, ActDisplay, PreNone}},
		{CmdDownloadNext, Timeout, Rule{PreSynch, ActRepeat2, PreDownload}},
		{CmdDownloadNext, ErrSequence, Rule{PreSetMTA, ActRepeat2, PreNone}},
		{CmdModifyBits, ErrCmdUnknown, Rule{PreNone, ActUseAlternative, PreNone}},
		{CmdSetCalPage, ErrPageNotValid, Rule{PreNone, ActRetryParams, PreNone}},
		{CmdGetPagProcessorInfo, ErrCmdUnknown, Rule{PreNone, ActUseA2L, PreNone}},
		{CmdGetSegmentInfo, ErrResourceTemporaryNotAccessible, Rule{PreNone, ActSkip, PreNone}},
		{CmdSetRequest, ErrResourceTemporaryNotAccessible, Rule{PreDisplayError, ActRepeatInf, PreNone}},
		{CmdWriteDaq, Timeout, Rule{PreSynch, ActRepeat2, PreSetDaqPtr}},
		{CmdWriteDaq, ErrDaqActive, Rule{PreStartStopX, ActRepeat2, PreNone}},
		{CmdAllocOdt, ErrSequence, Rule{PreReinitDaq, ActRepeat2, PreNone}},
		{CmdAllocDaq, ErrMemoryOverflow, Rule{PreReinitDaq, ActRetryParams, PreNone}},
		{CmdGetDaqClock, ErrResourceTemporaryNotAccessible, Rule{PreNone, ActSkip, PreNone}},
		{CmdProgramStart, ErrDaqActive, Rule{PreStartStopX, ActRepeat2, PreNone}},
		{CmdProgramStart, ErrPgmActive, Rule{PreNone, ActDisplay, PreNone}},
		{CmdProgramReset, ErrPgmActive, Rule{PreWaitT7, ActRepeatInf, PreNone}},
		{CmdProgramNext, Timeout, Rule{PreSynch, ActRepeat2, PreProgram}},
		{CmdProgramVerify, ErrVerify, Rule{PreNone, ActNewFlashware, PreNone}},
		{CmdProgramVerify, ErrGeneric, Rule{PreNone, ActRestartSession, PreNone}},
		{CmdLevel1, Timeout, Rule{PreSynch, ActRepeat2, PreNone}},
		{CmdLevel1, ErrAccessLocked, Rule{PreUnlock, ActRepeat2, PreNone}},
		{CmdLevel1, ErrSubcmdUnknown, Rule{PreNone, ActDisplay, PreNone}},
		{CmdTimeCorrelationProps, ErrCmdBusy, Rule{PreWaitT7, ActRepeatInf, PreNone}},
		{Command(0x42), ErrGeneric, Rule{PreNone, ActDisplay, PreNone}},
	}
	for _, tc := range tests {
		if got := Handling(tc.cmd, tc.code); got != tc.want {
			t.Errorf("Handling(%s, %s) = %s, want %s", tc.cmd, tc.code, got, tc.want)
		}
	}
}

// TestMatrixComplete checks that every command of the XCP 1.0 matrix has a
// row, that every row handles a timeout and that repeat rules never ask
// for a pre-action list longer than two.
func TestMatrixComplete(t *testing.T) {
	for c := range commandNames {
		if c == CmdLevel1 || c == CmdTimeCorrelationProps || c == CmdDtoCtrProperties {
			continue
		}
		row, ok := errorMatrix[c]
		if !ok {
			t.Errorf("%s has no row", c)
			continue
		}
		if _, ok := row[Timeout]; !ok {
			t.Errorf("%s: no timeout cell", c)
		}
	}
	if r := (Rule{PreSynch, ActRepeat2, PreSetMTA}); r.String() != "SYNCH, SET_MTA → repeat 2 times" {
		t.Fatal(r.String())
	}
	a, n := Rule{PreNone, ActRepeat2, PreSetMTA}.PreActions()
	if n != 1 || a[0] != PreSetMTA {
		t.Fatalf("PreActions = %v %d", a, n)
	}
}
