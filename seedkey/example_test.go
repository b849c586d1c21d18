package seedkey_test

import (
	"log"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/seedkey"
	"github.com/goxcp/goxcp/transport/memconn"
)

// A master whose locked resources are unlocked by an external program,
// configured like general.seed_n_key_command.
func ExampleCommand() {
	keys, err := seedkey.Command(`/opt/ecu/keygen --variant 3`)
	if err != nil {
		log.Fatal(err)
	}
	conn, _ := memconn.Pipe(8) // a real program dials transport/eth
	m := master.New(conn, master.Config{Unlock: keys})
	defer m.Close()
}
