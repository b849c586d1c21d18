package seedkey_test

import (
	"context"
	"fmt"
	"log"

	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/seedkey"
	"github.com/goxcp/goxcp/transport/memconn"
)

// A master whose locked resources are unlocked by an external program,
// configured like general.seed_n_key_command. The program gets the
// resource and the seed as hex arguments and prints the key in hex; here
// echo stands in for a real key generator (such as
// "/opt/ecu/keygen --variant 3"): it prints its arguments back, so the
// "key" is the resource byte followed by the seed.
func ExampleCommand() {
	keys, err := seedkey.Command("echo")
	if err != nil {
		log.Fatal(err)
	}
	key, err := keys(context.Background(), xcp.ResCalPag, []byte{0x12, 0x34, 0x56})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("key % X\n", key)

	conn, _ := memconn.Pipe(8) // a real program dials transport/eth
	m := master.New(conn, master.Config{Unlock: keys})
	defer m.Close()
	// Output: key 01 12 34 56
}
