package sim

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
)

func hx(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

// step is one command of a replayed seed sequence and its expected answer.
type step struct {
	req, resp string
	fault     DbgFault // injected for this command just before it is sent
}

func replay(t *testing.T, cfg Config, steps []step) {
	t.Helper()
	s, c := start(t, cfg)
	for _, st := range steps {
		if st.fault != 0 {
			cmd, _ := swdbg.CommandOf(hx(st.req))
			s.InjectDbgFault(cmd, st.fault, 1)
		}
		got := c.do(hx(st.req))
		if !bytes.Equal(got, hx(st.resp)) {
			t.Fatalf("%s:\n got % X\nwant %s", st.req, got, st.resp)
		}
	}
}

const attach = "C0 FC 00"

// The simulator answers the seed's chapter-7 sequences byte for byte.
func TestSeedSequencesAgainstSimulator(t *testing.T) {
	t.Run("T64 T65 T66 Motorola", func(t *testing.T) {
		replay(t, Config{Order: xcp.Motorola, Dbg: DbgConfig{Pins: DefaultDbgPins()[:2]}}, []step{
			{"C0 FC 02", "FE FC 07", 0}, // before DBG_ATTACH: ERR_DBG_ATTACH_MISSING
			{attach, "FF 01 00 FF FF 00 05 B0", 0},
			{"C0 FC 02", "FF 00 02 01 00 01", 0},
			{"C0 FC 03", "FF 00 00 00 00 11 20 41", 0},
		})
	})
	t.Run("T67 T68", func(t *testing.T) {
		replay(t, Config{Order: xcp.Motorola, Dbg: DbgConfig{Pins: DefaultDbgPins()[:3]}}, []step{
			{attach, "FF 01 00 FF FF 00 05 B0", 0},
			{"C0 FC 05 00", "FF 03 00 03 01 01 01 03 02 01 02 02 04 03", 0},
			{"C0 FC 07 02 00 00 00 00 02 04 00 01", "FF 00 04", 0},
		})
	})
	t.Run("T69 T70 T71 Intel", func(t *testing.T) {
		const shift32 = "04 04 20 00000000 00000000 00000000 00000000 00 00 01 00 00"
		seq0 := "03 00 01 04 05  03 00 01 03 03  03 00 01 04 03  04 01 06 20 3E 00 00 00 00 01 00 00" +
			" 03 00 01 02 01  03 00 01 04 03  04 01 06 20 2A 00 00 00 00 01 00 00  03 00 01 02 01" +
			" 03 00 01 04 03  04 02 0A 02 00 02 10 00 00 00 00 00 00 01 00 00  03 00 01 02 01  03 00 01 03 01 " + shift32
		seq5 := "04 04 20 80000000 00000000 00000000 00000000 00 00 01 00 00  03 00 01 02 01"
		replay(t, Config{Order: xcp.Intel}, []step{
			{attach, "FF 01 00 FF FF 00 B0 05", 0},
			{"C0 FC 09 03 01 00 05 00 03 00 01 08 7F 00", "FF 00 01 00 00 00 00 00 00 00", 0},
			{"C0 FC 09 03 06 00 6D 00 " + seq0 + " 00  18 00 " + shift32 + " 18 00 " + shift32 + " 18 00 " + shift32 + " 18 00 " + shift32 + " 1D 00 " + seq5 + " 00",
				"FF 00 06 00  00 00 09 0B C6 DC  00 00 00 00 00 00  00 00 00 00 92 00  00 00 09 0B C7 08  00 00 44 00 44 00  00 00 00 00 00 02", 0},
			// The register was overwritten with zeros: reading it again gives 0.
			{"C0 FC 09 03 01 00 3C 00 03 00 01 04 03 04 02 0A 02 00 02 10 00 00 00 00 00 00 01 00 00 03 00 01 02 01 03 00 01 03 01 " + seq5,
				"FF 00 01 00 00 00 00 00 00 00", 0},
			// Table 71: the low level interface fails in sequence 1. (The
			// simulated TAP follows IEEE 1149.1 and captures ...01 into IR,
			// so the 8-bit IR scan of sequence 0 reads TDO 0x01 where the
			// seed's target read 0.)
			{"C0 FC 09 03 02 00 16 00 03 00 01 04 03 04 01 08 80 55 00 00 00 00 01 00 00 03 00 01 02 01" +
				" 22 00 03 00 01 03 01 04 04 20 00 00 00 00 CA FE BE EF 00 00 00 00 00 00 00 00 00 00 01 00 00 03 00 01 02 01",
				"FE FC 03 00 02 00  00 00 00 00 00 01  04 00 00 00 00 00", FaultJPLInterface},
		})
	})
	t.Run("T73 T75 T77 T79 DAP", func(t *testing.T) {
		replay(t, Config{Dbg: DbgConfig{DAP: true}}, []step{
			{attach, "FF 01 00 FF FF 00 B0 05", 0},
			{"C0 FC 0A 01 00 00 0B 00", "FF 01 00", 0},
			{"C0 FC 0A 02 00 00 1C 03 01 10 1A 07 4B", "FF 02 00 10 20 00", 0},
			{"C0 FC 0A 02 00 00 1C 03 01 00 08 24 81 67 45 32 01", "FE FC 04 02 02", FaultLLTTimeout},
			{"C0 FC 0A 01 01 08 02 08 00", "FF 01 08 00", 0},
		})
	})
	t.Run("T80 T82 Motorola", func(t *testing.T) {
		replay(t, Config{Order: xcp.Motorola}, []step{
			{attach, "FF 01 00 FF FF 00 05 B0", 0},
			{"C0 FC 11 00 01 04 00 01 00 00 00 00 70 00 00 00", "FF 00 00 00 01 02 03 04", 0},
			{"C0 FC 0C 00 01 04 00 01 00 00 00 00 70 00 00 00 0A 0B 0C 0D", "FF", 0},
			{"C0 FC 11 00 01 04 00 01 00 00 00 00 70 00 00 00", "FF 00 00 00 0A 0B 0C 0D", 0},
			{"C0 FC 0C 00 01 04 00 01 00 00 00 00 70 00 00 00 01 02 03 04", "FF", 0},
		})
	})
	t.Run("T81 T83 CAN", func(t *testing.T) {
		replay(t, Config{Order: xcp.Motorola, Dbg: DbgConfig{MaxCTODbg: 8}}, []step{
			{attach, "FF 01 00 FF FF 00 00 08", 0},
			{"C0 FC 11 00 01 04 00 01 00 00 00 00 70 00 00 00", "FE 21", 0}, // 16 bytes exceed MAX_CTO_DBG 8
			{"C0 FC 12 01 70 00 00 00", "FF", 0},
			{"C0 FC 13 01 04", "FF 01 02 03 04", 0},
			{"C0 FC 0E 01 70 00 00 00", "FF", 0},
			{"C0 FC 0F 01 04", "FF", 0},
			{"C0 FC 10 04 05 06 07 08", "FF", 0},
			{"C0 FC 12 01 70 00 00 00", "FF", 0},
			{"C0 FC 13 01 04", "FF 05 06 07 08", 0},
			{"C0 FC 13 01 04", "FE 29", 0}, // DBG_READ_CAN2 without DBG_READ_CAN1
		})
	})
}

// Exclusive target access belongs to the XCP session: it is released
// with DBG_EXCLUSIVE_TARGET_ACCESS mode 1 or when another connection takes
// the session over.
func TestDbgExclusiveAccess(t *testing.T) {
	s, err := New(Config{Takeover: true})
	if err != nil {
		t.Fatal(err)
	}
	read := hx("C0 FC 11 00 00 04 01 00 00 00 00 70 00 00 00 00")
	a := serve(t, s)
	a.connect(xcp.ConnectNormal)
	a.ok(hx(attach))
	a.ok(hx("C0 FC 08 00 00")) // request exclusive access
	a.ok(read)
	a.ok(hx("C0 FC 08 01 00")) // release
	a.ok(hx("C0 FC 08 00 01")) // request again, context NVM programming
	a.fail(hx("C0 FC 08 02 00"), xcp.ErrOutOfRange)
	b := serve(t, s)
	b.connect(xcp.ConnectNormal) // takes the XCP session over
	b.fail(read, xcp.ErrDbg)     // a new session must attach first
	b.ok(hx(attach))
	b.ok(read)
	b.ok(hx("C0 FC 08 00 00"))
}

// The JPL player runs the data command of table 87 with the repeat
// semantics of appendix A: on a TDO mismatch (under the mask) the repeat
// sequence runs and the command is repeated, at most Repeat times.
func TestJPLRepeatSemantics(t *testing.T) {
	table87, err := swdbg.ParseJPL(hx("04 01 08 80 48 2A 0F 0A 00 01 04 03"))
	if err != nil {
		t.Fatal(err)
	}
	run := func(t *testing.T, dr [24]byte, cmd swdbg.JPLCommand) []byte {
		t.Helper()
		_, c := start(t, Config{Dbg: DbgConfig{DR192: &dr}})
		c.ok(hx(attach))
		b := swdbg.NewJPLBuilder().ScanIR(swdbg.BitsOf(10, 0x210), swdbg.RunTestIdle).GoTo(swdbg.ShiftDR).Append(cmd).GoTo(swdbg.RunTestIdle)
		seqs, err := b.Sequences()
		if err != nil {
			t.Fatal(err)
		}
		cmds, err := swdbg.PackSequences(seqs, 0, 1456)
		if err != nil {
			t.Fatal(err)
		}
		return c.do(cmds[0].Append(nil, xcp.Format{}))
	}
	// Each repetition re-captures the register, which the previous pass
	// shifted by 8 bits: pass k reads byte k.
	t.Run("match after 2 repeats", func(t *testing.T) {
		got := run(t, [24]byte{0x00, 0x11, 0x2A, 0x3A}, table87[0])
		if want := hx("FF 00 01 00  00 02 00 00 00 2A"); !bytes.Equal(got, want) {
			t.Fatalf("got % X want % X", got, want)
		}
	})
	t.Run("repeat count exceeded", func(t *testing.T) {
		got := run(t, [24]byte{}, table87[0])
		// 1 + 10 passes, all reading 0x00 (and then the shifted-in TDI 0x48).
		var r swdbg.ErrorResponse
		r.Err.Cmd = swdbg.CmdSequenceMultiple
		if err := r.Decode(got, xcp.Format{}); err != nil || r.Err.Dbg != swdbg.ErrJPL || len(r.Err.Results) != 1 ||
			r.Err.Results[0].Status != swdbg.SeqRepeatExceeded || r.Err.Results[0].Repeat != 10 {
			t.Fatalf("% X: %+v %v", got, r.Err, err)
		}
	})
	t.Run("zero mask loops unconditionally", func(t *testing.T) {
		loop := *(table87[0].(*swdbg.JPLData))
		loop.Mask = swdbg.BitsOf(8, 0)
		loop.Repeat = 3
		got := run(t, [24]byte{0x01, 0x02, 0x03, 0x04, 0x05}, &loop)
		if want := hx("FF 00 01 00  00 03 00 00 00 04"); !bytes.Equal(got, want) {
			t.Fatalf("got % X want % X", got, want)
		}
	})
}
