package connect_test

import (
	"context"
	"fmt"
	"log"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/sim"
)

// Open a session from settings — here the default settings with the
// built-in simulator in place of a real ECU — and read and write memory.
// Close sends DISCONNECT.
func ExampleOpen() {
	ctx := context.Background()
	c := config.Default() // or config.Load("xcp.toml")
	s, err := connect.Open(ctx, c, connect.Options{Simulator: true})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	fmt.Println("MAX_CTO", s.Connect.MaxCTO, "MAX_DTO", s.Connect.MaxDTO)
	period := sim.Parameters()[2] // period_ms, ULONG
	// 500, Intel byte order
	if err := s.Write(ctx, period.Addr, 0, []byte{0xF4, 0x01, 0, 0}); err != nil {
		log.Fatal(err)
	}
	b, err := s.Read(ctx, period.Addr, 0, 4)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s = % X\n", period.Name, b)
	// Output:
	// MAX_CTO 255 MAX_DTO 1024
	// period_ms = F4 01 00 00
}
