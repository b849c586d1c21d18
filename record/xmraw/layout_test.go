package xmraw_test

import (
	"fmt"
	"testing"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record/xmraw"
)

// TestLayoutDecodesReference: the pyXCP recording decoded with goxcp's
// one decoder (dto.NewDecoder on Params.Layout) gives the same values, in
// the same order, as the decoder with pyXCP's rules.
func TestLayoutDecodesReference(t *testing.T) {
	readRef(t, refXmraw)
	r, err := xmraw.Open(refXmraw)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p := r.Params()
	dd, err := dto.NewDecoder(p.Layout())
	if err != nil {
		t.Fatal(err)
	}
	px, err := xmraw.NewDecoder(p)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r.Next() {
		f := r.Frame()
		s := dd.Decode(int64(f.Timestamp), f.Data)
		done := px.Decode(f)
		if (s != nil) != done {
			t.Fatalf("frame %d: dto sample %v, pyXCP rules %v", n, s != nil, done)
		}
		if done {
			if got, want := fmt.Sprint(s.List, s.Values), fmt.Sprint(px.Sample().List, px.Sample().Values); got != want {
				t.Fatalf("sample %d: %s, want %s", n, got, want)
			}
			n++
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if st := dd.Stats(); n == 0 || st.Samples() != uint64(n) || st.Unknown+st.Other != 0 {
		t.Errorf("%d samples, stats %+v", n, st)
	}
}
