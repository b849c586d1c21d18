package mf4_test

import (
	"path/filepath"
	"testing"

	"github.com/goxcp/goxcp/mdf4"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/mf4"
	"github.com/goxcp/goxcp/record/recordtest"
)

// BenchmarkSink measures the MDF sink alone (no recording to decode): one
// op is one sample of the narrow table.
func BenchmarkSink(b *testing.B) {
	for _, v := range []int{mdf4.Version410, mdf4.Version420} {
		b.Run(map[int]string{410: "4.10", 420: "4.20"}[v], func(b *testing.B) {
			m := recordtest.NarrowMeta()
			s := mf4.New(filepath.Join(b.TempDir(), "b.mf4"), mf4.Options{Version: v})
			if err := s.Begin(m, convert.Tables(m)); err != nil {
				b.Fatal(err)
			}
			sm := dto.Sample{HasSlave: true, Values: []dto.Value{{}}}
			for i := 0; b.Loop(); i++ {
				sm.HostNS, sm.SlaveNS = int64(i)*1000000, int64(i)*1000000
				sm.Values[0] = recordtest.Value(m, 0, 0, i)
				if err := s.Sample(&sm); err != nil {
					b.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}
