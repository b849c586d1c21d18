package pyxcp_test

import (
	"testing"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/config/pyxcp"
)

// Whatever a pyXCP file holds, conversion never panics and its output
// always loads.
func FuzzConvert(f *testing.F) {
	f.Add([]byte("c = get_config()\nc.Transport.Eth.port = 0x15B3\nc.Transport.Can.daq_identifier = [1, (2), 'x']\n"), false)
	f.Add([]byte("c.General.loglevel = 10\nc.Transport.timeout = -1.5e3\nc.Transport.Sxi.stopbits = 1.5\n"), false)
	f.Add([]byte("[XCP]\nTRANSPORT = \"ETH\"\n[ETH]\nPORT = 1e3\nHOST = [1]\n"), true)
	f.Add([]byte("c.Transport.Eth.host = 'a\\x01\x02\\\\\xff\\u1234'\n"), false)
	f.Add([]byte(`{"CAN": {"CAN_ID_MASTER": 2147483649, "DAQ_IDENTIFIER": [1, -1]}}`), true)
	f.Fuzz(func(t *testing.T, data []byte, legacy bool) {
		var c *pyxcp.Conversion
		var err error
		if legacy {
			c, err = pyxcp.ConvertLegacy("f.toml", data, false)
		} else {
			c, err = pyxcp.ConvertPy("f.py", data)
		}
		if err != nil {
			return
		}
		out, err := c.TOML()
		if err != nil {
			t.Fatalf("no TOML: %v", err)
		}
		if _, err := config.Parse("out.toml", out); err != nil {
			t.Fatalf("output does not load: %v\n%s", err, out)
		}
	})
}
