package paramset_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/goxcp/goxcp/cal/paramset"
	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/connect"
)

// Save calibration parameters from an ECU — here the built-in simulator,
// connected in-process over loopback TCP — as a DCM file: the A2L comes
// from the ECU itself (GET_ID), the objects are chosen by name and glob,
// and their physical values are read over XCP.
func ExampleSave() {
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
	m := f.Modules[0]

	names, err := paramset.Select(m, "period_ms", "amp*", "curve")
	if err != nil {
		log.Fatal(err)
	}
	set, skipped, err := paramset.Save(ctx, m, s, names)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("saved", set.Names(), "skipped", len(skipped))
	if _, err := paramset.Write(os.Stdout, paramset.DCM, set); err != nil {
		log.Fatal(err)
	}
	// Output:
	// saved [amplitude curve period_ms] skipped 0
	// * DCM parameter set written by goxcp
	//
	// KONSERVIERUNG_FORMAT 2.0
	//
	// FESTWERT amplitude
	//    LANGNAME "sine amplitude"
	//    WERT 100
	// END
	//
	// FESTWERTEBLOCK curve 8
	//    LANGNAME "value block"
	//    WERT 0 100 200 300 400 500
	//    WERT 600 700
	// END
	//
	// FESTWERT period_ms
	//    LANGNAME "waveform period"
	//    EINHEIT_W "ms"
	//    WERT 1000
	// END
}

// Apply a parameter set to an ECU, all or nothing: every value is checked
// against its limits and converted before anything is written, and each
// object is read back after writing. A value out of limits refuses the
// whole set.
func ExampleApply() {
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
	m := f.Modules[0]

	set, err := paramset.Read(strings.NewReader(`KONSERVIERUNG_FORMAT 2.0
FESTWERT amplitude
   WERT 50
END
FESTWERT period_ms
   WERT 1000
END
`), paramset.DCM)
	if err != nil {
		log.Fatal(err)
	}
	rep, err := paramset.Apply(ctx, m, s, set, paramset.ApplyOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range rep.Changed {
		fmt.Println("changed", c.Name, c.Details)
	}
	fmt.Println("unchanged", rep.Unchanged, "written", rep.Written)

	set.Lookup("period_ms").Values[0] = -1 // below the lower limit
	_, err = paramset.Apply(ctx, m, s, set, paramset.ApplyOptions{})
	fmt.Println(errors.Is(err, paramset.ErrRefused))
	fmt.Println(err)

	now, _, err := paramset.Save(ctx, m, s, []string{"amplitude", "period_ms"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("in the ECU:", now.Lookup("amplitude").Values, now.Lookup("period_ms").Values)
	// Output:
	// changed amplitude [[0] 100 -> 50]
	// unchanged [period_ms] written true
	// true
	// paramset: parameter set refused, nothing written: values: period_ms: value out of range: value 1 = -1 is outside [1, 3.6e+06]
	// in the ECU: [50] [1000]
}
