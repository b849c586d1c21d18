package a2linfo_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/a2linfo"
	"github.com/goxcp/goxcp/sim"
)

// List the simulator's wave signals and show one calibration value in
// full.
func Example() {
	s, err := sim.New(sim.Config{})
	if err != nil {
		log.Fatal(err)
	}
	file, err := a2l.ParseString("sim.a2l", s.A2L(), a2l.Options{})
	if err != nil {
		log.Fatal(err)
	}
	m := file.Modules[0]
	entries, err := a2linfo.List(m, "waves.*", "measurement")
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Printf("%s %s %s at 0x%X, %d bytes\n", e.Name, e.Kind, e.Type, e.Address, e.Size)
	}
	d, err := a2linfo.Describe(m, "temp_limit")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Name, d.Kind, d.Unit, d.ConvType, d.Limits, d.Access, d.Defined)
	// Output:
	// waves.ramp MEASUREMENT FLOAT32_IEEE at 0x10000C, 4 bytes
	// waves.sine MEASUREMENT FLOAT32_IEEE at 0x100008, 4 bytes
	// waves.sine64 MEASUREMENT FLOAT64_IEEE at 0x100010, 8 bytes
	// temp_limit CHARACTERISTIC degC FORM "X1/10-40" inverse "(X1+40)*10" {-40 150} read/write sim.a2l:175:12
}

// Check a file: here the simulator's A2L with one measurement added that
// refers to a COMPU_METHOD the file does not define.
func ExampleCheck() {
	s, err := sim.New(sim.Config{})
	if err != nil {
		log.Fatal(err)
	}
	src := s.A2L()
	i := strings.LastIndex(src, "/end MODULE")
	src = src[:i] + "/begin MEASUREMENT broken \"\" UBYTE NO_SUCH_METHOD 0 0 0 255 ECU_ADDRESS 0x1000 /end MEASUREMENT\n" + src[i:]
	dir, err := os.MkdirTemp("", "a2linfo")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ecu.a2l")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		log.Fatal(err)
	}

	r, err := a2linfo.Check(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("OK:", r.OK, "ASAP2", r.Version, "measurements:", r.Counts["measurement"])
	for _, p := range r.Problems {
		fmt.Println(strings.TrimPrefix(p, dir+string(filepath.Separator)))
	}
	// Output:
	// OK: false ASAP2 1.71 measurements: 12
	// ecu.a2l:193:10: MEASUREMENT broken refers to COMPU_METHOD NO_SUCH_METHOD, which is not defined
}
