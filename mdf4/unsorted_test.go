package mdf4

import (
	"encoding/binary"
	"math"
	"testing"
	"time"
)

// buildUnsorted assembles, from the block encoders, an unsorted data
// group as other tools write it: two channel groups (record IDs 1 and 2)
// and a VLSD channel group (ID 3) whose records the reader must skip,
// interleaved in one DT block.
func buildUnsorted(t testing.TB) []byte {
	t.Helper()
	var b []byte
	put := func(bl *block) uint64 {
		off := uint64(len(b))
		b = appendBlock(b, bl)
		return off
	}
	b = appendID(b, 410, "test", true)
	b = append(b, make([]byte, 104)...) // HD, patched below
	// Records: id 1 = [u8 a][f32 time]; id 2 = [i16 BE b]; id 3 = VLSD.
	var data []byte
	for i := range 10 {
		data = append(data, 1, byte(i))
		data = binary.LittleEndian.AppendUint32(data, 0)
		binary.LittleEndian.PutUint32(data[len(data)-4:], mathFloat32bits(float32(i)/10))
		if i%2 == 0 {
			data = append(data, 2)
			data = binary.BigEndian.AppendUint16(data, uint16(int16(-i)))
			data = append(data, 3, 3, 0, 0, 0, 'a', 'b', 'c') // VLSD: length 3
		}
	}
	dt := put(&block{id: idDT, data: data})
	tx := func(s string) uint64 { return put(textBlock(idTX, s)) }
	cnA := put(cnBlock(cnLinks{name: tx("a")}, &Channel{DataType: UintLE, BitCount: 8}))
	cnT := put(cnBlock(cnLinks{next: cnA, name: tx("t"), unit: tx("s")}, &Channel{Type: ChannelMaster, Sync: SyncTime, DataType: FloatLE, ByteOffset: 1, BitCount: 32}))
	cnB := put(cnBlock(cnLinks{name: tx("b")}, &Channel{DataType: IntBE, BitCount: 16}))
	cgV := put(cgBlock(cgLinks{}, &ChannelGroup{RecordID: 3, Samples: 5, Flags: cgFlagVLSD}))
	cg2 := put(cgBlock(cgLinks{next: cgV, cn: cnB, acqName: tx("two")}, &ChannelGroup{RecordID: 2, Samples: 5, DataBytes: 2}))
	cg1 := put(cgBlock(cgLinks{next: cg2, cn: cnT, acqName: tx("one")}, &ChannelGroup{RecordID: 1, Samples: 10, DataBytes: 5}))
	dg := put(dgBlock(0, cg1, dt, 0, 1))
	hd := appendBlock(nil, hdBlock(hdLinks{dg: dg}, time.Unix(0, 0)))
	copy(b[hdOffset:], hd)
	return b
}

func TestUnsorted(t *testing.T) {
	b := buildUnsorted(t)
	f, err := Read(&memFile{b: b}, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Groups) != 2 || f.Groups[0].Name != "one" || f.Groups[1].Name != "two" {
		t.Fatalf("groups %+v", f.Groups)
	}
	one, two := f.Groups[0], f.Groups[1]
	i := 0
	for r := f.Records(one); r.Next(); i++ {
		rec := r.Record()
		if a, tm := one.Channels[1].Uint(rec), one.Master.Float(rec); a != uint64(i) || float32(tm) != float32(i)/10 {
			t.Fatalf("one[%d]: a %d t %v", i, a, tm)
		}
	}
	if i != 10 {
		t.Errorf("one: %d records", i)
	}
	i = 0
	r := f.Records(two)
	for ; r.Next(); i++ {
		if v := two.Channels[0].Int(r.Record()); v != int64(-2*i) {
			t.Fatalf("two[%d]: %d", i, v)
		}
	}
	if i != 5 || r.Err() != nil {
		t.Errorf("two: %d records, %v", i, r.Err())
	}
}

func mathFloat32bits(f float32) uint32 { return math.Float32bits(f) }
