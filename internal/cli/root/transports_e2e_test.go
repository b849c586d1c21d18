package root

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every transport with --sim (zero set-up), the CAN commands, and a
// configuration file naming a CAN bus.
func TestSimOverEveryTransport(t *testing.T) {
	isolate(t)
	for _, tr := range []string{"can", "sxi", "usb"} {
		t.Run(tr, func(t *testing.T) {
			code, _, errOut := xcp(t, "--sim", "-t", tr, "download", "0x100100", "01", "02", "03", "04", "05", "06", "07", "08", "09", "0A")
			if code != 0 {
				t.Fatalf("download: exit %d: %s", code, errOut)
			}
			code, out, errOut := xcp(t, "--sim", "-t", tr, "upload", "0x20000", "16")
			if code != 0 || !strings.Contains(out, "0x00020000") {
				t.Fatalf("upload: exit %d: %s %s", code, out, errOut)
			}
			code, out, errOut = xcp(t, "--sim", "-t", tr, "checksum", "0x20000", "0x100")
			if code != 0 {
				t.Fatalf("checksum: exit %d: %s %s", code, out, errOut)
			}
		})
	}
}

func TestCANDriversAndIDScan(t *testing.T) {
	isolate(t)
	code, out, errOut := xcp(t, "can-drivers", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var ds []struct {
		Name      string `json:"name"`
		Available bool   `json:"available"`
		Detail    string `json:"detail"`
	}
	if err := json.Unmarshal([]byte(out), &ds); err != nil || len(ds) != 5 {
		t.Fatalf("can-drivers --json: %v\n%s", err, out)
	}
	code, out, errOut = xcp(t, "--sim", "id-scan", "--json")
	if code != 0 || !strings.Contains(out, `"can_id_slave": 258`) || !strings.Contains(out, `"can_id_master": 257`) {
		t.Fatalf("id-scan: exit %d: %s %s", code, out, errOut)
	}
	code, out, errOut = xcp(t, "--sim", "id-scan", "--range", "0xFE-0x102", "--wait", "30ms")
	if code != 0 || !strings.Contains(out, "1 responder(s)") || !strings.Contains(out, "0x101") {
		t.Fatalf("id-scan --range: exit %d: %s %s", code, out, errOut)
	}
	for _, tc := range []struct{ args, want string }{
		{"--sim id-scan --range 0x200-0x100", "is empty or mixes"},
		{"--sim id-scan --range 0x100", "want FIRST-LAST"},
		{"--sim id-scan --broadcast 0x40000000", "exceeds 29 bits"},
		{"--sim id-scan --wait 0s", "--wait: must be positive"},
		{"id-scan", "transport.can.interface: not set"},
	} {
		code, _, errOut := xcp(t, strings.Fields(tc.args)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d %q, want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestCANConfigFile(t *testing.T) {
	isolate(t)
	// A config naming the virtual bus from the command line: it exists only
	// inside a program, and the error says so.
	file := filepath.Join(t.TempDir(), "can.toml")
	toml := "[transport]\nlayer = \"can\"\n[transport.can]\ninterface = \"virtual\"\ncan_id_master = 0x101\ncan_id_slave = 0x102\n"
	if err := os.WriteFile(file, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := xcp(t, "--config", file, "info")
	if code != 1 || !strings.Contains(errOut, "exists only inside one process") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	// The same file with --sim: the simulator takes the identifiers.
	code, out, errOut := xcp(t, "--config", file, "--sim", "info")
	if code != 0 || !strings.Contains(out, "tx 101") {
		t.Errorf("--sim with can.toml: exit %d: %s %s", code, out, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.toml")
	if err := os.WriteFile(bad, []byte("[transport.can]\ncan_id_master = 0x101\ncan_id_slave = 0x101\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = xcp(t, "--config", bad, "--sim", "-t", "can", "info")
	if want := fmt.Sprintf("%s: transport.can.can_id_slave: equals can_id_master (0x101)", bad); code != 2 || !strings.Contains(errOut, want) {
		t.Errorf("exit %d: %q, want %q", code, errOut, want)
	}
}

// The CAN flags reach the connection: CAN FD with bit rate switch,
// padded frames and 29-bit identifiers against the simulator, with
// pyXCP-style upper-case enum values.
func TestSimOverCANWithFlags(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{
		{"--sim", "-t", "CAN", "--fd", "--brs", "--max-can-fd-dlc", "32", "--max-dlc-required", "--padding-value", "0x55",
			"--can-id-master", "0x12345", "--can-id-slave", "0x12346", "--can-extended", "upload", "0x20000", "40"},
		{"--sim", "-t", "can", "--can-id-master", "0x7E0", "--can-id-slave", "0x7E1", "upload", "0x20000", "16"},
	} {
		code, out, errOut := xcp(t, args...)
		if code != 0 || !strings.Contains(out, "0x00020000") {
			t.Fatalf("xcp %s: exit %d: %s %s", strings.Join(args, " "), code, out, errOut)
		}
	}
	code, _, errOut := xcp(t, "--sim", "-t", "can", "--brs", "upload", "0x20000", "4")
	if code != 2 || !strings.Contains(errOut, "--brs: needs fd = true") {
		t.Fatalf("--brs without --fd: exit %d: %s", code, errOut)
	}
}
