package master_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/goxcp/goxcp/internal/simtest"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/sim"
)

func TestCalPagesAndStore(t *testing.T) {
	_, m := simtest.Start(t, "tcp", sim.Config{StoreCalDelay: 30 * time.Millisecond}, master.Config{})
	ctx := context.Background()
	pages, err := m.ReadCalPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pages.MaxSegments < 1 || len(pages.Segments) != pages.MaxSegments {
		t.Fatalf("pages %+v", pages)
	}
	var cal *master.CalSegment
	for i := range pages.Segments {
		if pages.Segments[i].Address == sim.CalBase {
			cal = &pages.Segments[i]
		}
	}
	if cal == nil || len(cal.Pages) != 2 || cal.Length != sim.CalSize {
		t.Fatalf("no calibration segment at 0x%X with 2 pages: %+v", sim.CalBase, pages)
	}
	if cal.Pages[0].Access() == "-" {
		t.Errorf("page 0 access %q", cal.Pages[0].Access())
	}
	// Change the working page, store it: the reference page becomes it.
	if err := m.Write(ctx, sim.CalBase+0x10, 0, []byte{0x5A}); err != nil {
		t.Fatal(err)
	}
	if err := m.StoreCalibration(ctx, 5*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := m.SetCalPage(ctx, xcp.CalPageXCP, cal.Number, sim.PageReference); err != nil {
		t.Fatal(err)
	}
	b, err := m.Read(ctx, sim.CalBase+0x10, 0, 1)
	if err != nil || b[0] != 0x5A {
		t.Fatalf("reference page after STORE_CAL: % X %v", b, err)
	}
}

func TestStoreCalibrationTimeout(t *testing.T) {
	_, m := simtest.Start(t, "tcp", sim.Config{StoreCalDelay: time.Hour}, master.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if err := m.StoreCalibration(ctx, 10*time.Millisecond); !errors.Is(err, master.ErrStoreCalTimeout) {
		t.Fatalf("err = %v, want ErrStoreCalTimeout", err)
	}
}
