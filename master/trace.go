package master

import (
	"fmt"
	"strings"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// traceCmd formats a command packet for the frame trace. UNLOCK keys are
// secrets: only the command, the remaining length and the key's size are
// shown.
func traceCmd(req []byte) string {
	if len(req) > 2 && xcp.Command(req[0]) == xcp.CmdUnlock {
		return fmt.Sprintf("% X <key: %d bytes masked>", req[:2], len(req)-2)
	}
	return fmt.Sprintf("% X", req)
}

// traceResp formats a response packet to cmd for the frame trace. Seeds
// (the positive response to GET_SEED) are masked like keys.
func traceResp(cmd xcp.Command, p []byte) string {
	if cmd == xcp.CmdGetSeed && len(p) > 2 && p[0] == xcp.PIDRes {
		return fmt.Sprintf("% X <seed: %d bytes masked>", p[:2], len(p)-2)
	}
	return fmt.Sprintf("% X", p)
}

// packetHead describes a packet for a warning without its contents (it
// may carry a seed): its first two bytes and its length.
func packetHead(p []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "% X", p[:min(2, len(p))])
	if len(p) > 2 {
		fmt.Fprintf(&b, " … (%d bytes)", len(p))
	}
	return b.String()
}

// codeName names an error code for logs: the matrix's pseudo code for "no
// answer" is a timeout, not an error code of the slave.
func codeName(c xcp.ErrorCode) string {
	if c == xcp.Timeout {
		return "timeout"
	}
	return c.Name()
}
