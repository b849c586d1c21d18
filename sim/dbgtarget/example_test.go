package dbgtarget_test

import (
	"fmt"

	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim/dbgtarget"
)

// printLink prints what the target sends besides its answers.
type printLink struct{}

func (printLink) Send(p []byte) error { fmt.Printf("sent % X\n", p); return nil }

// A debugger attaches and reads 4 bytes of target RAM (the default
// memory starts 01 02 03 04 at 0x70000000, as in the standard's table 80).
func Example() {
	f := xcp.Format{Order: xcp.Intel}
	t := dbgtarget.New(dbgtarget.Config{}, dbgtarget.Base{Order: xcp.Intel, SlaveBlock: true, MasterBlock: true, MaxBS: 32})
	var s dbgtarget.Session // one per XCP session
	attach := t.Command(&s, printLink{}, swdbg.Attach{}.Append(nil, f), false)
	fmt.Printf("DBG_ATTACH: % X\n", attach[:2])
	read := swdbg.Read{TRI: 0, EW: swdbg.EWByte, N: 4, Addr: 0x70000000}.Append(nil, f)
	fmt.Printf("DBG_READ: % X\n", t.Command(&s, printLink{}, read, false))
	// Output:
	// DBG_ATTACH: FF 01
	// DBG_READ: FF 01 02 03 04
}
