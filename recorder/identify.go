package recorder

import (
	"context"
	"strings"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// Identify returns the slave's ASCII identification (GET_ID type 0) for
// record.Slave.Identifier, which names the ECU in the recording (and the
// ecu= partition of a dataset); "" if the slave has none or refuses the
// optional command.
func Identify(ctx context.Context, m *master.Master) string {
	b, err := m.GetID(ctx, xcp.IDASCII)
	if err != nil || len(b) > 255 {
		return ""
	}
	return strings.TrimRight(strings.TrimSpace(string(b)), "\x00")
}
