// Command usefromgo is the program of the README's "Use it from Go": it
// connects to an ECU from settings, reads and writes two calibration values
// by A2L name, records two signals by A2L name for a few seconds and converts
// the recording to physical values (CSV).
//
//	xcp sim &                        # or a real ECU described by xcp.toml
//	go run ./examples/usefromgo      # -config xcp.toml -a2l ecu.a2l -duration 3s -o run.xlog
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2ldaq"
	"github.com/goxcp/goxcp/cal"
	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/csv"
	"github.com/goxcp/goxcp/recorder"
)

func main() {
	cfgFile := flag.String("config", "", "settings file (xcp.toml); default: TCP to localhost:5555")
	a2lFile := flag.String("a2l", "", "A2L file of the ECU; default: fetched from the ECU (GET_ID 4)")
	dur := flag.Duration("duration", 3*time.Second, "how long to record")
	out := flag.String("o", "run.xlog", "recording file; the physical values go to the same name .csv")
	flag.Parse()
	if err := run(context.Background(), *cfgFile, *a2lFile, *dur, *out, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, cfgFile, a2lFile string, dur time.Duration, out string, w io.Writer) error {
	// Settings → a connected, unlocked master (Close sends DISCONNECT).
	cfg := config.Default()
	if cfgFile != "" {
		var err error
		if cfg, err = config.Load(cfgFile); err != nil {
			return err
		}
	}
	s, err := connect.Open(ctx, cfg, connect.Options{})
	if err != nil {
		return err
	}
	defer s.Close()

	// The ECU description: from a file, or the one the ECU holds.
	var file *a2l.File
	if a2lFile != "" {
		file, err = a2l.ParseFile(a2lFile, a2l.Options{Lenient: true})
	} else {
		var src []byte
		if src, err = s.FetchA2L(ctx); err == nil {
			file, err = a2l.Parse("ecu.a2l", src, a2l.Options{Lenient: true})
		}
	}
	if err != nil {
		return err
	}
	ecu := file.Modules[0]

	// Calibration by name, in physical units: read, write, read back.
	for _, c := range []struct{ name, value string }{{"amplitude", "50"}, {"temp_limit", "85"}} {
		before, err := cal.Read(ctx, ecu, s, c.name)
		if err != nil {
			return err
		}
		after, err := cal.Write(ctx, ecu, s, c.name, c.value, cal.Options{})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s: %v -> %v %s\n", c.name, before.Phys[0], after.Phys[0], after.Unit)
	}

	// Measurement by name: two signals sampled on the ECU's "10ms" event.
	lists := []daq.List{{Name: "waves", EventName: "10ms", Timestamps: true, Signals: []string{"waves.sine", "enabled"}}}
	resolved, err := a2ldaq.Resolve(ecu, lists)
	if err != nil {
		return err // an unknown name says "did you mean …?"
	}
	sink := &recorder.FileSink{Path: out, Tool: "usefromgo", Slave: recorder.SlaveOf(s.Master),
		Signals: recorder.NewSignals(lists, resolved)}
	ses, err := daq.Setup(ctx, s.Master, lists, daq.Options{Sink: sink})
	if err != nil {
		return err
	}
	if err := ses.Start(ctx); err != nil {
		ses.Stop(ctx)
		return err
	}
	time.Sleep(dur)
	stats, err := ses.Stop(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "recorded %s: %d frames, %d lost\n", out, stats.Frames, stats.Lost())

	// The recording → physical values (units and conversions are in the file).
	r, err := record.Open(out)
	if err != nil {
		return err
	}
	defer r.Close()
	csvFile := out[:len(out)-len(".xlog")] + ".csv"
	res, err := convert.Run(ctx, r, csv.New(csvFile))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "converted %d samples to %s\n", res.Samples, csvFile)
	return nil
}
