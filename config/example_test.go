package config_test

import (
	"fmt"

	"github.com/goxcp/goxcp/config"
)

func ExampleParse() {
	c, err := config.Parse("xcp.toml", []byte(`
[transport.eth]
host = "192.168.1.10"
protocol = "udp"

[general]
t1 = "500ms"
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Transport.Layer, c.Transport.Eth.Protocol, c.Transport.Eth.Address(), c.General.T1)
	// Output: eth udp 192.168.1.10:5555 500ms
}

func ExampleParse_error() {
	_, err := config.Parse("xcp.toml", []byte("[transport.eth]\nport = 70000\n"))
	fmt.Println(err)
	// Output: xcp.toml: transport.eth.port: must be 1..65535, got 70000
}

// The template that `xcp config init` writes lists every setting with its
// default; it loads back to config.Default().
func ExampleTemplate() {
	c, err := config.Parse("xcp.toml", config.Template())
	fmt.Println(err, c.Transport.Eth.Port, len(config.Settings(c)) > 40)
	// Output: <nil> 5555 true
}
