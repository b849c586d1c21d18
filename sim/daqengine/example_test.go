package daqengine_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim/daqengine"
)

// memory is 16 bytes of RAM at 0x1000.
type memory struct {
	sync.Mutex
	ram [16]byte
}

func (m *memory) Now() time.Duration    { return 0 }
func (m *memory) Refresh(time.Duration) {}
func (m *memory) Span(addr uint32, ext uint8, n int, _ bool) ([]byte, error) {
	if ext != 0 || addr < 0x1000 || int(addr-0x1000)+n > len(m.ram) {
		return nil, xcp.ErrAccessDenied
	}
	return m.ram[addr-0x1000 : int(addr-0x1000)+n], nil
}

// link is the master's connection; this example starts no list.
type link struct{}

func (link) SendDTOs(context.Context, [][]byte, []uint16) error { return nil }
func (link) SendEvent([]byte) error                             { return nil }
func (link) Go(func(context.Context))                           {}
func (link) SetInfo([]byte)                                     {}

// A slave hands DAQ commands to its engine with the memory's lock held:
// GET_DAQ_PROCESSOR_INFO, then the allocation of a dynamic list whose
// entry is checked against the memory map (0x2000 is not mapped:
// ERR_ACCESS_DENIED, and the DAQ pointer stays on the entry).
func Example() {
	f := xcp.Format{Order: xcp.Intel, AG: xcp.Byte, MaxCTO: 8, MaxDTO: 8}
	mem := &memory{}
	e, err := daqengine.New(daqengine.Config{MaxDaq: 4}, f, mem)
	if err != nil {
		fmt.Println(err)
		return
	}
	command := func(req []byte) {
		mem.Lock()
		resp, stopped := e.Command(link{}, req, nil)
		fmt.Printf("% X -> % X\n", req, resp)
		mem.Unlock()
		stopped.Wait()
	}
	command([]byte{byte(xcp.CmdGetDaqProcessorInfo)})
	command([]byte{byte(xcp.CmdFreeDaq)})
	command(xcp.AllocDaq{Count: 1}.Append(nil, f))
	command(xcp.AllocOdt{List: 0, Count: 1}.Append(nil, f))
	command(xcp.AllocOdtEntry{List: 0, ODT: 0, Count: 1}.Append(nil, f))
	command(xcp.SetDaqPtr{}.Append(nil, f))
	command(xcp.WriteDaq{DaqElement: xcp.DaqElement{BitOffset: xcp.NoBitOffset, Size: 2, Addr: 0x2000}}.Append(nil, f))
	command(xcp.WriteDaq{DaqElement: xcp.DaqElement{BitOffset: xcp.NoBitOffset, Size: 2, Addr: 0x1004}}.Append(nil, f))
	// Output:
	// DA -> FF 53 04 00 04 00 00 00
	// D6 -> FF
	// D5 00 01 00 -> FF
	// D4 00 00 00 01 -> FF
	// D3 00 00 00 00 01 -> FF
	// E2 00 00 00 00 00 -> FF
	// E1 FF 02 00 00 20 00 00 -> FE 24
	// E1 FF 02 00 04 10 00 00 -> FF
}
