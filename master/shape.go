package master

import (
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// ErrUnexpectedResponse is matched (errors.Is) by a positive response whose
// length does not fit the command it would answer: a late answer to an
// earlier command, or a broken slave. The master resynchronises (SYNCH)
// before it believes another answer.
var ErrUnexpectedResponse = errors.New("master: response does not fit the command")

// ResponseError reports a positive response whose length does not fit the
// command that was sent.
type ResponseError struct {
	Cmd  xcp.Command
	Got  int // bytes received
	Want int // bytes expected (the minimum where Padded)
	// Padded is set where the transport pads packets (CAN): any length
	// from Want up is accepted there.
	Padded bool
}

// Error implements error.
func (e *ResponseError) Error() string {
	if e.Padded {
		return fmt.Sprintf("master: %s: positive response of %d bytes, want at least %d: taken for a late answer to an earlier command", e.Cmd, e.Got, e.Want)
	}
	return fmt.Sprintf("master: %s: positive response of %d bytes, want %d: taken for a late answer to an earlier command", e.Cmd, e.Got, e.Want)
}

// Unwrap lets errors.Is(err, ErrUnexpectedResponse) match.
func (e *ResponseError) Unwrap() error { return ErrUnexpectedResponse }

// responseLen returns the length of the positive response to the command
// packet req in format f: exact (every byte of the response is defined by
// the standard) or, with exact false, the minimum (variable-length answers).
// Commands the master does not know get (1, false).
func responseLen(req []byte, f xcp.Format) (n int, exact bool) {
	switch xcp.Command(req[0]) {
	case xcp.CmdConnect, xcp.CmdGetCommModeInfo, xcp.CmdBuildChecksum,
		xcp.CmdGetDaqProcessorInfo, xcp.CmdGetDaqResolutionInfo, xcp.CmdGetDaqListMode, xcp.CmdReadDaq:
		return 8, true
	case xcp.CmdGetDaqEventInfo, xcp.CmdProgramStart:
		return 7, true
	case xcp.CmdGetStatus, xcp.CmdGetDaqListInfo:
		return 6, true
	case xcp.CmdGetCalPage:
		return 4, true
	case xcp.CmdGetPagProcessorInfo, xcp.CmdGetPgmProcessorInfo, xcp.CmdGetSegmentMode:
		return 3, true
	case xcp.CmdUnlock, xcp.CmdStartStopDaqList:
		return 2, true
	case xcp.CmdGetSeed:
		return 2, false
	case xcp.CmdGetDaqClock:
		return 8, false // longer in the extended format of XCP 1.4
	case xcp.CmdGetID:
		return 8, false // the identification may follow inline
	case xcp.CmdUpload, xcp.CmdShortUpload:
		if len(req) < 2 {
			return 1, false
		}
		ag := f.AG.Size()
		return ag * (int(req[1]) + 1), true
	case xcp.CmdDisconnect, xcp.CmdSetRequest, xcp.CmdSetMTA, xcp.CmdDownload, xcp.CmdDownloadNext,
		xcp.CmdDownloadMax, xcp.CmdShortDownload, xcp.CmdModifyBits, xcp.CmdSetCalPage,
		xcp.CmdCopyCalPage, xcp.CmdSetSegmentMode, xcp.CmdClearDaqList, xcp.CmdSetDaqPtr,
		xcp.CmdWriteDaq, xcp.CmdSetDaqListMode, xcp.CmdStartStopSynch, xcp.CmdFreeDaq,
		xcp.CmdAllocDaq, xcp.CmdAllocOdt, xcp.CmdAllocOdtEntry, xcp.CmdWriteDaqMultiple,
		xcp.CmdProgramClear, xcp.CmdProgram, xcp.CmdProgramReset, xcp.CmdProgramPrepare,
		xcp.CmdProgramFormat, xcp.CmdProgramNext, xcp.CmdProgramMax, xcp.CmdProgramVerify:
		return 1, true
	}
	return 1, false
}

// checkShape checks the length of positive response p to req. padded says
// the transport may append fill bytes (packet lengths are not carried).
func checkShape(req, p []byte, f xcp.Format, padded bool) error {
	want, exact := responseLen(req, f)
	switch {
	case len(p) < want:
	case exact && !padded && len(p) != want:
	case xcp.Command(req[0]) == xcp.CmdGetSeed && f.MaxCTO > 0 && len(p) > f.CTO() && !padded:
		want, exact = f.CTO(), true // longer than MAX_CTO
	default:
		return nil
	}
	return &ResponseError{Cmd: xcp.Command(req[0]), Got: len(p), Want: want, Padded: padded || !exact}
}

// padsPackets reports whether a transport kind may pad packets (the
// length of an XCP packet is not carried on CAN, USB bulk or SxI with fill
// bytes): there only a minimum length can be checked.
func padsPackets(kind string) bool {
	switch kind {
	case "tcp", "udp", "mem":
		return false
	}
	return true
}
