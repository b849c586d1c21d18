package config_test

import (
	"fmt"
	"testing"

	"github.com/goxcp/goxcp/config"
)

func TestSources(t *testing.T) {
	file := config.Default()
	file.Transport.Eth.Host = "10.0.0.2"
	file.Transport.Eth.Port = config.Default().Transport.Eth.Port // set in the file to the default
	flags := *file
	flags.Transport.Eth.Host = "127.0.0.1"
	flags.Logging.Level = "debug"
	src := config.Sources([]config.Layer{
		{Name: "bench.toml", Config: file, Keys: []string{"transport.eth.host", "transport.eth.port", "no.such.key"}},
		{Name: "flag", Config: &flags},
	})
	for key, want := range map[string]string{
		"transport.eth.host": "flag", "transport.eth.port": "bench.toml", "logging.level": "flag",
		"transport.layer": "default", "no.such.key": "",
	} {
		if got := src[key]; got != want {
			t.Errorf("%s: %q, want %q", key, got, want)
		}
	}
}

// Tell where each setting of a configuration built in layers comes from.
func ExampleSources() {
	file, err := config.Parse("bench.toml", []byte("[transport.eth]\nhost = \"127.0.0.2\"\n"))
	if err != nil {
		panic(err)
	}
	withFlags := *file
	withFlags.Transport.Eth.Port = 5556
	src := config.Sources([]config.Layer{{Name: "bench.toml", Config: file}, {Name: "flag --port", Config: &withFlags}})
	for _, k := range []string{"transport.eth.host", "transport.eth.port", "transport.eth.protocol"} {
		fmt.Println(k, "from", src[k])
	}
	// Output:
	// transport.eth.host from bench.toml
	// transport.eth.port from flag --port
	// transport.eth.protocol from default
}
