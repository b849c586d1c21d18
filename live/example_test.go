package live_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/live"
)

// Follow two signals of the built-in simulator by A2L name while it runs:
// a counter in ms and a sine of amplitude 100, sampled by DAQ on the
// 10 ms event. The values change from run to run, so the example checks
// them against what the simulator computes instead of printing them.
func ExampleStart() {
	ctx := context.Background()
	s, err := connect.Open(ctx, config.Default(), connect.Options{Simulator: true})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	f, err := connect.LoadA2L(ctx, "", s, "")
	if err != nil {
		log.Fatal(err)
	}
	mo, err := live.Start(ctx, s.Master, f.Modules[0], []string{"counter", "waves.sine"}, live.Options{Event: "10ms"})
	if err != nil {
		log.Fatal(err)
	}
	defer mo.Stop(ctx)

	// Wait for ten samples of each signal (a few tens of milliseconds).
	var vs []live.Value
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		vs = mo.Snapshot()
		if vs[0].Samples >= 10 && vs[1].Samples >= 10 {
			break
		}
	}
	for _, v := range vs {
		fmt.Printf("%s [%s] from %s: ten samples %v\n", v.Name, v.Unit, v.Source, v.Samples >= 10)
	}
	counter, sine := vs[0], vs[1]
	fmt.Println("counter rising:", counter.Max > counter.Min && counter.Value == counter.Max)
	fmt.Println("sine within ±100:", sine.Min >= -100 && sine.Max <= 100 && sine.Min < sine.Max)
	if err := mo.Stop(ctx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// counter [ms] from DAQ event 1: ten samples true
	// waves.sine [] from DAQ event 1: ten samples true
	// counter rising: true
	// sine within ±100: true
}
