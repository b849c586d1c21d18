package connect_test

import (
	"errors"
	"testing"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/connect"
)

// A key program is refused unless the configuration may start programs
// (a file the user chose or trusted).
func TestKeyFuncNeedsATrustedConfig(t *testing.T) {
	c, err := config.Parse("./xcp.toml", []byte("[general]\nseed_n_key_command = \"./mykey\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	c.Origin = config.OriginWorkDir
	if kf, err := connect.KeyFunc(c); kf != nil || !errors.Is(err, config.ErrUntrusted) {
		t.Fatalf("untrusted file: key function %v, err %v", kf != nil, err)
	}
	c.Trusted = true
	if kf, err := connect.KeyFunc(c); kf == nil || err != nil {
		t.Fatalf("trusted file: key function %v, err %v", kf != nil, err)
	}
}
