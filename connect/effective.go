package connect

import (
	"fmt"
	"time"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/master"
)

// Effective is the value Open uses for a setting c leaves unset, and where
// that value comes from.
type Effective struct {
	Value any
	// From is "default (master)" for the master's own default, or the key
	// of the setting the value is taken from (transport.timeout for an
	// unset general.t1…t7, logging.level itself for "off").
	From string
}

// EffectiveSettings returns, by setting key, the values Open uses for the
// settings c leaves at zero: general.max_retries and general.t1…t7 (the
// master's defaults, or transport.timeout; see Timeouts) and
// logging.level ("off").
func EffectiveSettings(c *config.Config) map[string]Effective {
	out := map[string]Effective{}
	g := c.General
	if g.MaxRetries == 0 {
		out["general.max_retries"] = Effective{master.DefaultMaxRetries, "default (master)"}
	}
	t := Timeouts(c)
	d := master.DefaultTimeouts()
	for i, p := range []struct{ set, eff, def time.Duration }{
		{g.T1, t.T1, d.T1}, {g.T2, t.T2, d.T2}, {g.T3, t.T3, d.T3}, {g.T4, t.T4, d.T4}, {g.T5, t.T5, d.T5}, {g.T6, t.T6, d.T6}, {g.T7, t.T7, d.T7}} {
		if p.set != 0 {
			continue
		}
		key := fmt.Sprintf("general.t%d", i+1)
		if p.eff != 0 {
			out[key] = Effective{p.eff, "transport.timeout"}
		} else {
			out[key] = Effective{p.def, "default (master)"}
		}
	}
	if c.Logging.Level == "" {
		out["logging.level"] = Effective{"off", "logging.level"}
	}
	return out
}
