package cal_test

import (
	"context"
	"errors"
	"testing"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/cal"
)

func TestCheckEPK(t *testing.T) {
	const src = `ASAP2_VERSION 1 71
/begin PROJECT p "" /begin MODULE m ""
/begin MOD_PAR "" EPK "v1.2" ADDR_EPK 0x1010 /end MOD_PAR
/end MODULE /end PROJECT`
	f, err := a2l.ParseString("epk.a2l", src, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mod := f.Modules[0]
	tests := []struct {
		name   string
		memory string
		want   error
	}{
		{"same", "v1.2", nil},
		{"other", "v1.3", cal.ErrEPKMismatch},
		{"erased", "\xff\xff\xff\xff", cal.ErrEPKMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &mem{b: make([]byte, 0x40)}
			copy(m.b[0x10:], tt.memory)
			err := cal.CheckEPK(context.Background(), mod, m)
			if !errors.Is(err, tt.want) {
				t.Fatalf("CheckEPK = %v, want %v", err, tt.want)
			}
			var e *cal.EPKError
			if tt.want != nil && (!errors.As(err, &e) || e.A2L != "v1.2" || e.Addr != 0x1010) {
				t.Errorf("error %#v", err)
			}
		})
	}
	// Outside the memory: the read error, not a mismatch.
	f2, _ := a2l.ParseString("epk.a2l", `ASAP2_VERSION 1 71
/begin PROJECT p "" /begin MODULE m "" /begin MOD_PAR "" EPK "x" ADDR_EPK 0xFFFFFF00 /end MOD_PAR /end MODULE /end PROJECT`, a2l.Options{})
	if err := cal.CheckEPK(context.Background(), f2.Modules[0], &mem{b: make([]byte, 0x40)}); err == nil || errors.Is(err, cal.ErrEPKMismatch) {
		t.Errorf("unreadable EPK: %v", err)
	}
}
