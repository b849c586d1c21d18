package daq_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
)

// A dynamic slave answers GET_DAQ_PROCESSOR_INFO with MAX_DAQ = MIN_DAQ +
// the lists allocated now (XCP part 2): XCPlite says MAX_DAQ 0 before
// ALLOC_DAQ. That is no limit; Setup must allocate and measure anyway.
func TestDynamicMaxDaqIsNoLimit(t *testing.T) {
	m, _, stop := pair(t, sim.Config{MaxDTO: 32})
	defer stop()
	ctx := context.Background()
	info, err := daq.ReadInfo(ctx, m, m.Format(), daq.InfoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Processor.Properties&xcp.DaqConfigDynamic == 0 {
		t.Fatal("simulator DAQ is not dynamic")
	}
	info.Processor.MaxDaq = uint16(info.Processor.MinDaq) // as XCPlite reports it
	ses, err := daq.Setup(ctx, m, testLists(t), daq.Options{Info: info})
	if err != nil {
		t.Fatalf("Setup with MAX_DAQ = MIN_DAQ on a dynamic slave: %v", err)
	}
	c, st := measure(t, ses, 300*time.Millisecond)
	checkSamples(t, c, st)
}

// With a static configuration MAX_DAQ - MIN_DAQ is the number of lists
// there are, and more are refused before anything is sent.
func TestStaticMaxDaqLimits(t *testing.T) {
	m, _, stop := pair(t, sim.Config{MaxDTO: 32, DAQ: sim.DAQConfig{Static: true, StaticLists: 1, IDField: xcp.IDRelODTAbsDAQWord}})
	defer stop()
	_, err := daq.Setup(context.Background(), m, testLists(t), daq.Options{})
	if err == nil || !strings.Contains(err.Error(), "2 DAQ lists requested, the slave offers 1") {
		t.Fatalf("two lists on a static slave with one: %v", err)
	}
}
