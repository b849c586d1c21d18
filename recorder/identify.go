package recorder

import (
	"context"
	"strings"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/record"
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

// Describe describes the slave behind m for the header of a recording:
// SlaveOf, its ASCII identification (Identify) and, when the signals come
// from the A2L module mod (nil: none), the module's name and its EPK
// (MOD_PAR EPK), which name the ECU software the recording belongs to.
func Describe(ctx context.Context, m *master.Master, mod *a2l.Module) record.Slave {
	s := SlaveOf(m)
	s.Identifier = Identify(ctx, m)
	if mod != nil {
		s.Properties["A2L module"] = mod.Name
		if mod.ModPar.EPK != "" {
			s.Properties["EPK"] = mod.ModPar.EPK
		}
	}
	return s
}
