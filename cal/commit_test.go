package cal_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
)

// failMem is a memory whose writes to one address fail.
type failMem struct {
	mem    []byte
	failAt uint32
	writes int
}

func (m *failMem) Read(_ context.Context, addr uint32, _ uint8, n int) ([]byte, error) {
	return append([]byte(nil), m.mem[addr:int(addr)+n]...), nil
}

func (m *failMem) Write(_ context.Context, addr uint32, _ uint8, data []byte) error {
	if addr == m.failAt {
		return errors.New("ERR_WRITE_PROTECTED")
	}
	m.writes++
	copy(m.mem[addr:], data)
	return nil
}

// TestCommitAllRestores: the second of three writes fails; the first is
// put back and the third never written.
func TestCommitAllRestores(t *testing.T) {
	f, err := a2l.ParseString("commit.a2l", `ASAP2_VERSION 1 71 /begin PROJECT p "" /begin MODULE m ""
/begin CHARACTERISTIC a "" VALUE 0x10 RL_U8 0 NO_COMPU_METHOD 0 255 /end CHARACTERISTIC
/begin CHARACTERISTIC b "" VALUE 0x20 RL_U8 0 NO_COMPU_METHOD 0 255 /end CHARACTERISTIC
/begin CHARACTERISTIC c "" VALUE 0x30 RL_U8 0 NO_COMPU_METHOD 0 255 /end CHARACTERISTIC
/begin RECORD_LAYOUT RL_U8 FNC_VALUES 1 UBYTE ROW_DIR DIRECT /end RECORD_LAYOUT
/end MODULE /end PROJECT`, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mod := f.Modules[0]
	mem := &failMem{mem: make([]byte, 0x40), failAt: 0x20}
	mem.mem[0x10], mem.mem[0x20], mem.mem[0x30] = 1, 2, 3
	before := append([]byte(nil), mem.mem...)
	var ps []*cal.Pending
	for _, n := range []string{"a", "b", "c"} {
		d, err := cal.Describe(mod, n)
		if err != nil {
			t.Fatal(err)
		}
		p, err := d.Prepare(t.Context(), mem, cal.Input{Values: []string{"99"}}, cal.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	_, err = cal.CommitAll(t.Context(), mem, ps)
	var ce *cal.CommitError
	if !errors.As(err, &ce) || !errors.Is(err, cal.ErrRestored) || ce.Failed != "b" || len(ce.Restored) != 1 || ce.Restored[0] != "a" {
		t.Fatalf("CommitAll: %v (%+v)", err, ce)
	}
	if !bytes.Equal(mem.mem, before) {
		t.Fatalf("memory changed: % X", mem.mem[0x10:0x31])
	}
}
