package listfile_test

import (
	"fmt"
	"log"

	"github.com/goxcp/goxcp/daq/listfile"
)

// A TOML list file with one list given by addresses and one by A2L names
// (resolved later by goxcp/a2ldaq).
func ExampleParseTOML() {
	f, err := listfile.ParseTOML([]byte(`
[[list]]
name = "fast"
event = 0
timestamps = true
measurements = [
  { name = "counter", address = 0x100000, type = "U32" },
  { name = "flag", address = 0x100007, type = "U8", mask = 0x02 },
]

[[list]]
name = "slow"
event = "100ms"
signals = ["counter16", "enabled"]
`), "lists.toml")
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range f.Lists {
		fmt.Printf("%s: event %d %q, %d measurements, signals %v\n", l.Name, l.Event, l.EventName, len(l.Measurements), l.Signals)
	}
	_, err = listfile.ParseTOML([]byte("[[list]]\nname = \"x\"\nevnt = 1\n"), "bad.toml")
	fmt.Println(err)
	// Output:
	// fast: event 0 "", 2 measurements, signals []
	// slow: event 0 "100ms", 0 measurements, signals [counter16 enabled]
	// daq: bad.toml: DAQ list "x": unknown key "evnt"
}
