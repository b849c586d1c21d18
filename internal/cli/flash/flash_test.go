package flash

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marcinbor85/gohex"
	"go.uber.org/goleak"

	"github.com/goxcp/goxcp/internal/cli/clitest"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/internal/simtest"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/pgm"
	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/seedkey"
	"github.com/goxcp/goxcp/sim"
	"github.com/goxcp/goxcp/transport/eth"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOptions(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want Options
		err  string
	}{
		{[]string{"a.hex"}, Options{File: "a.hex", Verify: pgm.VerifyChecksum}, ""},
		{[]string{"a.img", "--format", "bin", "--base", "0x30000", "--verify", "upload", "--no-reset", "--dry-run"},
			Options{File: "a.img", Format: pgm.FormatBinary, Base: 0x30000, BaseSet: true, Verify: pgm.VerifyUpload, NoReset: true, DryRun: true}, ""},
		{[]string{"a.s19", "--clear", "functional", "--clear-mask", "2", "--verify", "none"},
			Options{File: "a.s19", Verify: pgm.VerifyNone, Clear: pgm.ClearFunctional, ClearMask: 2}, ""},
		{[]string{}, Options{}, "needs one argument FILE"},
		{[]string{"a", "--format", "elf"}, Options{}, `--format: pgm: unknown image format "elf"`},
		{[]string{"a", "--base", "x"}, Options{}, "--base"},
		{[]string{"a", "--verify", "crc"}, Options{}, `--verify: pgm: unknown verification "crc"`},
		{[]string{"a", "--clear", "sector"}, Options{}, `--clear: must be absolute or functional, got "sector"`},
		{[]string{"a", "--clear", "functional"}, Options{}, "--clear-mask: a non-zero 32-bit mask is needed"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := clitest.Parse(newCmd, tt.args)
			if tt.err != "" {
				clitest.WantUsageError(t, err, tt.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.IO, got.Connect = nil, nil
			if fmt.Sprintf("%+v", *got) != fmt.Sprintf("%+v", tt.want) {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
		})
	}
}

// serve starts a simulator on 127.0.0.1 and returns it with a Connect
// function for Options.
func serve(t *testing.T) (*sim.Slave, func(context.Context) (*master.Master, func() error, error)) {
	t.Helper()
	s, port := simtest.Serve(t, "tcp", sim.Config{MaxCTO: 64})
	return s, func(ctx context.Context) (*master.Master, func() error, error) {
		conn, err := eth.Dial(ctx, eth.Config{Protocol: "tcp", Host: "127.0.0.1", Port: port})
		if err != nil {
			return nil, nil, err
		}
		m := master.New(conn, master.Config{Timeouts: master.Timeouts{T1: time.Second}, Unlock: seedkey.Func(sim.DemoKey)})
		if _, err := m.Connect(ctx, xcp.ConnectNormal); err != nil {
			m.Close()
			return nil, nil, err
		}
		return m, m.Close, nil
	}
}

// srec writes data at addr as S3 records of 16 bytes.
func srec(addr uint32, data []byte) string {
	var b strings.Builder
	for off := 0; off < len(data); off += 16 {
		chunk := data[off:min(off+16, len(data))]
		rec := append([]byte{byte(4 + len(chunk) + 1), byte((addr + uint32(off)) >> 24), byte((addr + uint32(off)) >> 16),
			byte((addr + uint32(off)) >> 8), byte(addr + uint32(off))}, chunk...)
		var sum byte
		for _, c := range rec {
			sum += c
		}
		fmt.Fprintf(&b, "S3%X%02X\n", rec, ^sum)
	}
	b.WriteString("S70500000000FA\n")
	return b.String()
}

func TestFlashSimulator(t *testing.T) {
	dir := t.TempDir()
	data := make([]byte, 6000)
	for i := range data {
		data[i] = byte(i*13 + 1)
	}
	base := uint32(sim.FlashBase + 0x800)
	files := map[string]string{
		"app.s19": srec(base, data),
		"app.bin": string(data),
		"far.s19": srec(sim.FlashBase+sim.FlashSectors*sim.SectorSize-8, data[:16]),
	}
	var hexb bytes.Buffer
	mem := gohex.NewMemory()
	if err := mem.AddBinary(base, data); err != nil {
		t.Fatal(err)
	}
	if err := mem.DumpIntelHex(&hexb, 32); err != nil {
		t.Fatal(err)
	}
	files["app.hex"] = hexb.String()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		opts    Options
		err     string
		flashed bool
	}{
		{"srec, checksum", Options{File: "app.s19", Verify: pgm.VerifyChecksum}, "", true},
		{"Intel HEX, internal verify", Options{File: "app.hex", Verify: pgm.VerifyInternal}, "", true},
		{"bin, upload, no reset", Options{File: "app.bin", Base: base, BaseSet: true, Verify: pgm.VerifyUpload, NoReset: true}, "", true},
		{"dry run", Options{File: "app.s19", DryRun: true}, "", false},
		{"past the last sector", Options{File: "far.s19"}, "pgm: image data at 0x00034000..0x00034007 is outside every flash sector of the slave", false},
		{"binary without base", Options{File: "app.bin"}, "app.bin is a binary image: give its start address with --base", false},
		{"base on an srec", Options{File: "app.s19", Base: 1, BaseSet: true}, "--base applies to binary images only", false},
		{"missing file", Options{File: "none.hex"}, "no such file", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, connect := serve(t)
			before, _ := s.ReadMemory(sim.FlashBase, 0, sim.FlashSectors*sim.SectorSize)
			ios, _, out, errOut := cmdutil.Test()
			opts := tc.opts
			opts.IO, opts.Connect, opts.File = ios, connect, filepath.Join(dir, tc.opts.File)
			bar := false
			opts.Bar = &bar
			err := run(context.Background(), &opts)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, want %q", err, tc.err)
				}
			} else if err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			after, _ := s.ReadMemory(sim.FlashBase, 0, sim.FlashSectors*sim.SectorSize)
			if !tc.flashed {
				if !bytes.Equal(before, after) {
					t.Fatal("flash changed")
				}
				if opts.DryRun && !strings.Contains(out.String(), `program sector 0 "FLASH0" 0x00030800..0x00030FFF (2048 bytes, program seq 4)`) {
					t.Errorf("dry-run plan:\n%s", out)
				}
				return
			}
			off := base - sim.FlashBase
			if !bytes.Equal(after[off:int(off)+len(data)], data) {
				t.Fatal("flash does not hold the image")
			}
			if !bytes.Equal(after[:off], bytes.Repeat([]byte{0xFF}, int(off))) {
				t.Error("the rest of sector 0 was not cleared")
			}
			if third := 2 * sim.SectorSize; !bytes.Equal(after[third:], before[third:]) {
				t.Error("sectors the image does not touch changed")
			}
			verify := map[pgm.Verify]string{pgm.VerifyChecksum: "verify: 6000/6000 bytes\n", pgm.VerifyUpload: "verify: 6000/6000 bytes\n",
				pgm.VerifyInternal: "verify: done\n"}[tc.opts.Verify]
			for _, line := range []string{"start: done\n", "clear: 2/2 sectors\n", "program: 6000/6000 bytes\n", verify, "flashed 6000 bytes from app."} {
				if !strings.Contains(errOut.String(), line) {
					t.Errorf("stderr lacks %q:\n%s", line, errOut)
				}
			}
		})
	}
}

func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, true)
	for _, pr := range []pgm.Progress{{Phase: pgm.PhaseProgram, Done: 0, Total: 2048, Unit: "bytes"}, {Phase: pgm.PhaseProgram, Done: 1024, Total: 2048, Unit: "bytes"},
		{Phase: pgm.PhaseProgram, Done: 2048, Total: 2048, Unit: "bytes"}} {
		p.report(pr)
	}
	if !strings.Contains(b.String(), "50%") || !strings.HasSuffix(b.String(), "program: 2048/2048 bytes\n") {
		t.Errorf("bar output %q", b.String())
	}
	if p.bar != nil {
		t.Error("bar not finished")
	}
}
