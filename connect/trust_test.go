package connect_test

import (
	"context"
	"errors"
	"testing"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// A key program is refused unless the configuration may start programs
// (a file the user chose or trusted).
func TestKeyFuncNeedsATrustedConfig(t *testing.T) {
	c, err := config.Parse("./xcp.toml", []byte("[general]\nseed_n_key_command = \"./mykey\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	c.Origin = config.OriginWorkDir
	kf, err := connect.KeyFunc(c)
	if err != nil || kf == nil {
		t.Fatalf("untrusted file: key function %v, err %v", kf != nil, err)
	}
	if key, err := kf(context.Background(), xcp.ResCalPag, []byte{1, 2}); key != nil || !errors.Is(err, config.ErrUntrusted) {
		t.Fatalf("untrusted file: unlock gave key %v, err %v", key, err)
	}
	c.Trusted = true
	if kf, err := connect.KeyFunc(c); kf == nil || err != nil {
		t.Fatalf("trusted file: key function %v, err %v", kf != nil, err)
	}
}
