package checksum_test

import (
	"fmt"

	"github.com/goxcp/goxcp/protocol/checksum"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// Compute a checksum over data that arrives in pieces.
func ExampleNew() {
	h, err := checksum.New(xcp.ChecksumCRC32, xcp.Intel)
	if err != nil {
		panic(err)
	}
	h.Write([]byte("1234"))
	h.Write([]byte("56789"))
	fmt.Printf("%s 0x%08X\n", h.Type(), h.Sum32())
	// Output: XCP_CRC_32 0xCBF43926
}
