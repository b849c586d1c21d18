package connect

import (
	"time"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2l/ifxcp"
	"github.com/goxcp/goxcp/config"
)

// ApplyA2L takes connection settings from the IF_DATA XCP of an A2L
// module where c still has its defaults: host, port and protocol from the
// first XCP_ON_TCP_IP / XCP_ON_UDP_IP, and T1…T7 from PROTOCOL_LAYER for the
// timeouts c leaves at 0. fixed reports settings the caller set explicitly
// (command-line flags), which are kept: "host", "port", "protocol",
// "timeout" (nil: none). An A2L without IF_DATA XCP changes nothing; a
// malformed one is an error naming the problem.
func ApplyA2L(c *config.Config, m *a2l.Module, fixed func(setting string) bool) error {
	if fixed == nil {
		fixed = func(string) bool { return false }
	}
	x, err := ifxcp.Decode(m)
	if err != nil || x == nil {
		return err
	}
	eth := &c.Transport.Eth
	for _, t := range x.Transports {
		if t.Kind != "TCP_IP" && t.Kind != "UDP_IP" {
			continue
		}
		if !fixed("host") && eth.Host == config.DefaultHost && t.Host != "" {
			eth.Host = t.Host
		}
		if !fixed("port") && eth.Port == config.DefaultPort && t.Port != 0 {
			eth.Port = t.Port
		}
		if !fixed("protocol") && eth.Protocol == config.DefaultProtocol {
			eth.Protocol = map[string]string{"TCP_IP": "tcp", "UDP_IP": "udp"}[t.Kind]
		}
		break
	}
	if p := x.Protocol; p != nil && !fixed("timeout") {
		g := &c.General
		for i, dst := range []*time.Duration{&g.T1, &g.T2, &g.T3, &g.T4, &g.T5, &g.T6, &g.T7} {
			if *dst == 0 && p.T[i] > 0 {
				*dst = p.T[i]
			}
		}
	}
	return nil
}
