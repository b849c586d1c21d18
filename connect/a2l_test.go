package connect_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/connect"
)

const ifdata = `ASAP2_VERSION 1 71
/begin PROJECT p ""
/begin MODULE m ""
/begin IF_DATA XCP
  /begin PROTOCOL_LAYER 0x0104 1500 2000 0 0 0 0 200 255 1024 BYTE_ORDER_MSB_LAST ADDRESS_GRANULARITY_BYTE /end PROTOCOL_LAYER
  /begin XCP_ON_UDP_IP 0x0104 5566 ADDRESS "127.0.0.2" /end XCP_ON_UDP_IP
/end IF_DATA
/end MODULE
/end PROJECT`

func TestApplyA2L(t *testing.T) {
	f, err := a2l.ParseString("ecu.a2l", ifdata, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := f.Modules[0]

	c := config.Default()
	c.General.T2 = time.Second // set by the user: kept
	if took, err := connect.ApplyA2L(c, m, nil); err != nil || took != "host 127.0.0.2, port 5566, protocol udp" {
		t.Fatalf("ApplyA2L took %q, %v", took, err)
	}
	e, g := c.Transport.Eth, c.General
	if e.Host != "127.0.0.2" || e.Port != 5566 || e.Protocol != "udp" {
		t.Errorf("eth %s:%d %s, want 127.0.0.2:5566 udp from the A2L", e.Host, e.Port, e.Protocol)
	}
	if g.T1 != 1500*time.Millisecond || g.T2 != time.Second || g.T3 != 0 || g.T7 != 200*time.Millisecond {
		t.Errorf("T1 %v T2 %v T3 %v T7 %v, want 1.5s, the user's 1s, 0, 200ms", g.T1, g.T2, g.T3, g.T7)
	}

	// Settings given explicitly (flags) and non-default ones stay.
	c = config.Default()
	c.Transport.Eth.Port = 1234
	fixed := func(k string) bool { return k == "transport.eth.host" || k == "general.timeouts" }
	if _, err := connect.ApplyA2L(c, m, fixed); err != nil {
		t.Fatal(err)
	}
	e = c.Transport.Eth
	if e.Host != config.DefaultHost || e.Port != 1234 || e.Protocol != "udp" || c.General.T1 != 0 {
		t.Errorf("eth %s:%d %s T1 %v: want the fixed host and timeouts, the configured port, the A2L's protocol", e.Host, e.Port, e.Protocol, c.General.T1)
	}

	// What the configuration file sets explicitly stays, also the default
	// port; the rest comes from the A2L.
	file := filepath.Join(t.TempDir(), "xcp.toml")
	os.WriteFile(file, []byte(fmt.Sprintf("[transport.eth]\nport = %d\n", config.DefaultPort)), 0o644)
	if c, err = config.Load(file); err != nil {
		t.Fatal(err)
	}
	took, err := connect.ApplyA2L(c, m, nil)
	if e := c.Transport.Eth; err != nil || e.Port != config.DefaultPort || e.Host != "127.0.0.2" || took != "host 127.0.0.2, protocol udp" {
		t.Errorf("with %s setting the port: %s:%d, took %q, %v", file, e.Host, e.Port, took, err)
	}
}
