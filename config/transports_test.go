package config

import (
	"testing"

	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/can/canbus"
)

func TestTransportSectionsErrorsNameKey(t *testing.T) {
	tests := []struct{ name, toml, want string }{
		{"can interface", "[transport.can]\ninterface = \"pcan\"\n", `x.toml: transport.can.interface: must be one of virtual, udp, socketcan, slcan, user, got "pcan"`},
		{"can id range", "[transport.can]\ncan_id_master = 0x40000000\ncan_id_slave = 0x101\n", "x.toml: transport.can.can_id_master: identifier 0x40000000 exceeds 29 bits"},
		{"can same ids", "[transport.can]\ncan_id_master = 0x101\ncan_id_slave = 0x101\n", "x.toml: transport.can.can_id_slave: equals can_id_master (0x101)"},
		{"can daq id", "[transport.can]\ndaq_identifier = [0x100, 0xA0000000]\n", "x.toml: transport.can.daq_identifier[1]: identifier 0x20000000 exceeds 29 bits"},
		{"can brs", "[transport.can]\nbrs = true\n", "x.toml: transport.can.brs: needs fd = true"},
		{"can fd dlc", "[transport.can]\nfd = true\nmax_can_fd_dlc = 30\n", "x.toml: transport.can.max_can_fd_dlc: must be a CAN FD length 8, 12, 16, 20, 24, 32, 48 or 64 with fd = true, got 30"},
		{"can id type", "[transport.can]\ncan_id_master = \"x\"\n", `x.toml: transport.can.can_id_master: expected an integer, got string "x"`},
		{"can fd dlc type", "[transport.can]\nmax_can_fd_dlc = \"x\"\n", `x.toml: transport.can.max_can_fd_dlc: expected an integer, got string "x"`},
		{"can daq id type", "[transport.can]\ndaq_identifier = [1, \"x\"]\n", `x.toml: transport.can.daq_identifier[1]: expected an integer, got string "x"`},
		{"can sjw type", "[transport.can]\nsjw_abr = \"x\"\n", `x.toml: transport.can.sjw_abr: expected an integer, got string "x"`},
		{"can sample point", "[transport.can]\nsample_point = 40\n", "x.toml: transport.can.sample_point: 40% is not in 50..<100"},
		{"can sjw > tseg2", "[transport.can]\nsjw_abr = 4\ntseg2_abr = 2\n", "x.toml: transport.can.sjw_abr: 4 exceeds tseg2 2"},
		{"can data tseg1", "[transport.can]\ntseg1_dbr = 300\n", "x.toml: transport.can.tseg1_dbr: 300 is not 0..256 time quanta"},
		{"sxi header", "[transport.sxi]\nheader_format = \"LEN_QUAD\"\n", ""},
		{"sxi parity", "[transport.sxi]\nparity = \"X\"\n", `x.toml: transport.sxi.parity: parity "X" is not N, E, O, M or S`},
		{"sxi stopbits", "[transport.sxi]\nstopbits = 3\n", "x.toml: transport.sxi.stopbits: stopbits 3 is not 1, 1.5 or 2"},
		{"sxi esc", "[transport.sxi]\nesc_sync = 300\n", "x.toml: transport.sxi.esc_sync: must be 0..255, got 300"},
		{"usb ep", "[transport.usb]\nin_ep_number = 16\n", "x.toml: transport.usb.in_ep_number: must be 1..15, got 16"},
		{"usb unknown", "[transport.usb]\nvendorid = 1\n", "x.toml: transport.usb.vendorid: unknown key (did you mean transport.usb.vendor_id?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.toml", []byte(tt.toml))
			if err == nil {
				t.Fatalf("Parse accepted %q", tt.toml)
			}
			if tt.want != "" && err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
			if tt.want == "" {
				t.Logf("%v", err)
			}
		})
	}
}

// Every field of the transport packages' settings structs is either a
// file key or deliberately not one: a new field must be added to fileKeys.
func TestFileKeysCoverFields(t *testing.T) {
	notSettings := map[string]bool{"Logger": true, "Bus": true}
	for typ, m := range fileKeys {
		for f := range typ.Fields() {
			if _, ok := m[f.Name]; !ok && !notSettings[f.Name] {
				t.Errorf("%s.%s has no file key in fileKeys", typ, f.Name)
			}
		}
		for name := range m {
			if _, ok := typ.FieldByName(name); !ok {
				t.Errorf("fileKeys names %s.%s, which does not exist", typ, name)
			}
		}
	}
}

func TestTimingKeysRoundTrip(t *testing.T) {
	c, err := Parse("x.toml", []byte("[transport.can]\nsample_point = 87.5\nsjw_abr = 1\ntseg1_abr = 13\ntseg2_abr = 2\ndata_sample_point = 75\nsjw_dbr = 2\ntseg1_dbr = 5\ntseg2_dbr = 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := can.Timing{SamplePoint: 87.5, SJW: 1, TSeg1: 13, TSeg2: 2, DataSamplePoint: 75, DataSJW: 2, DataTSeg1: 5, DataTSeg2: 2}
	if c.Transport.Can.Timing != want {
		t.Fatalf("timing %+v, want %+v", c.Transport.Can.Timing, want)
	}
}

func TestTransportSectionsValues(t *testing.T) {
	c, err := Parse("x.toml", []byte(`
[transport]
layer = "can"
[transport.can]
interface = "udp"
channel = "239.74.67.1:43210"
can_id_master = 0x80000701
can_id_slave = 0x702
can_id_broadcast = 0x700
fd = true
max_dlc_required = true
padding_value = 0xAA
daq_identifier = [0x710]
[transport.sxi]
port = "/dev/ttyUSB0"
header_format = "HEADER_LEN_BYTE"
tail_format = "CHECKSUM_WORD"
framing = true
[transport.usb]
vendor_id = 0x1234
product_id = 0x5678
in_ep_number = 1
out_ep_number = 2
`))
	if err != nil {
		t.Fatal(err)
	}
	k := c.Transport.Can
	if k.CanIDMaster != 0x80000701 || k.CanIDSlave != 0x702 || !k.FD || k.PaddingValue != 0xAA || len(k.DaqIdentifiers) != 1 || k.Interface != "udp" {
		t.Errorf("can = %+v", k)
	}
	if err := c.RequireCAN(); err != nil {
		t.Error(err)
	}
	if c.Transport.Sxi.TailFormat != "CHECKSUM_WORD" || !c.Transport.Sxi.Framing {
		t.Errorf("sxi = %+v", c.Transport.Sxi)
	}
	if err := c.RequireUsb(); err != nil {
		t.Error(err)
	}
}

// The config accepts exactly the interface spellings the canbus package
// opens (config does not import canbus; this test keeps them in step).
func TestCANInterfaceNamesMatchCanbus(t *testing.T) {
	for _, name := range []string{"virtual", "udp", "udpmcast", "udp-multicast", "udp_multicast", "socketcan", "slcan", "lawicel", "user"} {
		if !canInterfaces[name] {
			t.Errorf("%q not accepted", name)
		}
		if _, err := canbus.Canonical(name); err != nil {
			t.Errorf("canbus: %v", err)
		}
	}
	if len(canInterfaces) != 9 {
		t.Errorf("config accepts %d names, the test lists 9", len(canInterfaces))
	}
}

func TestRequire(t *testing.T) {
	c, err := Parse("x.toml", []byte("[transport]\nlayer = \"can\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RequireCAN(); err == nil || err.Error() != "x.toml: transport.can.interface: not set (virtual, udp, socketcan, slcan or user)" {
		t.Errorf("RequireCAN = %v", err)
	}
	c.Transport.Can.Interface = "virtual"
	if err := c.RequireCAN(); err == nil || err.Error() != "x.toml: transport.can.can_id_master: not set (can_id_master and can_id_slave are required for XCP on CAN)" {
		t.Errorf("RequireCAN = %v", err)
	}
	if err := c.RequireSxi(); err == nil || err.Error() != "x.toml: transport.sxi.port: not set (the serial device, e.g. /dev/ttyUSB0)" {
		t.Errorf("RequireSxi = %v", err)
	}
	if err := c.RequireUsb(); err == nil || err.Error() != "x.toml: transport.usb.in_ep_number: must be 1..15, got 0" {
		t.Errorf("RequireUsb = %v", err)
	}
}
