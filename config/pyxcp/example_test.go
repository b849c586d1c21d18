package pyxcp_test

import (
	"fmt"
	"log"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/config/pyxcp"
)

// Convert a pyXCP traitlets file and load the result as a goxcp
// configuration.
func ExampleConvert() {
	py := []byte(`c = get_config()
c.Transport.layer = "ETH"
c.Transport.Eth.host = "127.0.0.1"
c.Transport.Eth.port = 0x15B3
c.Transport.Eth.protocol = "TCP"
c.General.seed_n_key_dll = "SeedNKeyXcp.dll"
`)
	conv, err := pyxcp.Convert("pyxcp_conf.py", py, pyxcp.Options{})
	if err != nil {
		log.Fatal(err)
	}
	text, err := conv.TOML()
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range conv.Problems {
		fmt.Println("not converted:", p)
	}
	cfg, err := config.Parse("converted.toml", text)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.Transport.Layer, cfg.Transport.Eth.Host, cfg.Transport.Eth.Port, cfg.Transport.Eth.Protocol)
	// Output:
	// not converted: line 6: General.seed_n_key_dll: goxcp cannot load seed & key DLLs; wrap the DLL in a key program and set general.seed_n_key_command
	// eth 127.0.0.1 5555 tcp
}
