package xcp

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

type codec interface {
	Append(b []byte, f Format) []byte
}

// decodeInto decodes p into a fresh value of the same type as v.
func decodeInto(v codec, p []byte, f Format) (codec, error) {
	ptr := reflect.New(reflect.TypeOf(v))
	err := ptr.Interface().(interface{ Decode([]byte, Format) error }).Decode(p, f)
	return ptr.Elem().Interface().(codec), err
}

// daqGolden lists every DAQ packet with its bytes in Intel and Motorola
// order (field by field in the comments).
var daqGolden = []struct {
	name       string
	v          codec
	intel, mot []byte
}{
	{"CLEAR_DAQ_LIST", ClearDaqList{List: 0x0102},
		[]byte{0xE3, 0, 0x02, 0x01}, []byte{0xE3, 0, 0x01, 0x02}},
	{"SET_DAQ_PTR", SetDaqPtr{List: 0x0003, ODT: 4, Entry: 5},
		[]byte{0xE2, 0, 0x03, 0x00, 4, 5}, []byte{0xE2, 0, 0x00, 0x03, 4, 5}},
	// bit offset, size, ext, address
	{"WRITE_DAQ", WriteDaq{DaqElement{BitOffset: 0xFF, Size: 4, Ext: 1, Addr: 0x11223344}},
		[]byte{0xE1, 0xFF, 4, 1, 0x44, 0x33, 0x22, 0x11}, []byte{0xE1, 0xFF, 4, 1, 0x11, 0x22, 0x33, 0x44}},
	// count; per element: bit offset, size, address, ext, dummy
	{"WRITE_DAQ_MULTIPLE", WriteDaqMultiple{Elements: []DaqElement{{0xFF, 2, 0, 0x1000}, {3, 1, 7, 0xA0B0C0D0}}},
		[]byte{0xC7, 2, 0xFF, 2, 0x00, 0x10, 0, 0, 0, 0, 3, 1, 0xD0, 0xC0, 0xB0, 0xA0, 7, 0},
		[]byte{0xC7, 2, 0xFF, 2, 0, 0, 0x10, 0x00, 0, 0, 3, 1, 0xA0, 0xB0, 0xC0, 0xD0, 7, 0}},
	// mode, list, event, prescaler, priority
	{"SET_DAQ_LIST_MODE", SetDaqListMode{Mode: ModeTimestamp, List: 1, Event: 0x0203, Prescaler: 2, Priority: 9},
		[]byte{0xE0, 0x10, 1, 0, 3, 2, 2, 9}, []byte{0xE0, 0x10, 0, 1, 2, 3, 2, 9}},
	{"GET_DAQ_LIST_MODE", GetDaqListMode{List: 0x0100},
		[]byte{0xDF, 0, 0x00, 0x01}, []byte{0xDF, 0, 0x01, 0x00}},
	{"GET_DAQ_LIST_MODE res", GetDaqListModeResponse{Mode: ModeRunning | ModeSelected | ModeTimestamp, Event: 5, Prescaler: 1, Priority: 0xFF},
		[]byte{0xFF, 0x51, 0, 0, 5, 0, 1, 0xFF}, []byte{0xFF, 0x51, 0, 0, 0, 5, 1, 0xFF}},
	{"START_STOP_DAQ_LIST", StartStopDaqList{Mode: DaqListSelect, List: 2},
		[]byte{0xDE, 2, 2, 0}, []byte{0xDE, 2, 0, 2}},
	{"START_STOP_DAQ_LIST res", StartStopDaqListResponse{FirstPID: 0x10},
		[]byte{0xFF, 0x10}, []byte{0xFF, 0x10}},
	{"START_STOP_SYNCH", StartStopSynch{Mode: SynchStartSelected},
		[]byte{0xDD, 1}, []byte{0xDD, 1}},
	{"READ_DAQ res", ReadDaqResponse{DaqElement{BitOffset: 3, Size: 1, Ext: 0, Addr: 0x20}},
		[]byte{0xFF, 3, 1, 0, 0x20, 0, 0, 0}, []byte{0xFF, 3, 1, 0, 0, 0, 0, 0x20}},
	{"ALLOC_DAQ", AllocDaq{Count: 3}, []byte{0xD5, 0, 3, 0}, []byte{0xD5, 0, 0, 3}},
	{"ALLOC_ODT", AllocOdt{List: 1, Count: 4}, []byte{0xD4, 0, 1, 0, 4}, []byte{0xD4, 0, 0, 1, 4}},
	{"ALLOC_ODT_ENTRY", AllocOdtEntry{List: 1, ODT: 2, Count: 7},
		[]byte{0xD3, 0, 1, 0, 2, 7}, []byte{0xD3, 0, 0, 1, 2, 7}},
	// properties, MAX_DAQ, MAX_EVENT, MIN_DAQ, key byte (IDF word aligned, AE same ODT, OM default)
	{"GET_DAQ_PROCESSOR_INFO res", GetDaqProcessorInfoResponse{Properties: DaqConfigDynamic | DaqTimestampSupported | DaqOverloadMSB,
		MaxDaq: 0x0100, MaxEvent: 3, MinDaq: 0, Key: MakeDaqKeyByte(OMDefault, AESameODT, IDRelODTAbsDAQWordAl)},
		[]byte{0xFF, 0x51, 0x00, 0x01, 3, 0, 0, 0xD0}, []byte{0xFF, 0x51, 0x01, 0x00, 0, 3, 0, 0xD0}},
	// gran daq, max daq, gran stim, max stim, ts mode (4 bytes, fixed, 1us), ticks
	{"GET_DAQ_RESOLUTION_INFO res", GetDaqResolutionInfoResponse{GranularityDaq: 1, MaxEntrySizeDaq: 0xF8, GranularityStim: 1,
		MaxEntrySizeSt: 0xF8, TimestampMode: MakeTimestampMode(4, true, Unit1us), TimestampTicks: 10},
		[]byte{0xFF, 1, 0xF8, 1, 0xF8, 0x3C, 10, 0}, []byte{0xFF, 1, 0xF8, 1, 0xF8, 0x3C, 0, 10}},
	{"GET_DAQ_LIST_INFO", GetDaqListInfo{List: 7}, []byte{0xD8, 0, 7, 0}, []byte{0xD8, 0, 0, 7}},
	{"GET_DAQ_LIST_INFO res", GetDaqListInfoResponse{Properties: ListDAQ | ListPredefined, MaxODT: 3, MaxEntries: 10, FixedEvent: 2},
		[]byte{0xFF, 0x05, 3, 10, 2, 0}, []byte{0xFF, 0x05, 3, 10, 0, 2}},
	{"GET_DAQ_EVENT_INFO", GetDaqEventInfo{Event: 1}, []byte{0xD7, 0, 1, 0}, []byte{0xD7, 0, 0, 1}},
	// properties, max daq list, name length, cycle, unit, priority
	{"GET_DAQ_EVENT_INFO res", GetDaqEventInfoResponse{Properties: EventDAQ, MaxDaqList: 0xFF, NameLength: 5, TimeCycle: 10, TimeUnit: Unit1ms, Priority: 1},
		[]byte{0xFF, 0x04, 0xFF, 5, 10, 6, 1}, []byte{0xFF, 0x04, 0xFF, 5, 10, 6, 1}},
	// legacy: reserved, trigger 0, fmt 0, DWORD
	{"GET_DAQ_CLOCK res legacy", GetDaqClockResponse{DaqClock{Slave: 0x01020304}},
		[]byte{0xFF, 0, 0, 0, 4, 3, 2, 1}, []byte{0xFF, 0, 0, 0, 1, 2, 3, 4}},
	// extended: trigger 0x18, fmt DLONG slave + DWORD ECU + cluster, cluster id, counter, sync state
	{"GET_DAQ_CLOCK res ext", GetDaqClockResponse{DaqClock{TriggerInfo: 0x18, PayloadFmt: 0x52, Slave: 0x0102030405060708, ECU: 0x0A0B0C0D,
		ClusterID: 0x0102, Counter: 9, SyncState: 1, HasSync: true}},
		[]byte{0xFF, 0, 0x18, 0x52, 8, 7, 6, 5, 4, 3, 2, 1, 0x0D, 0x0C, 0x0B, 0x0A, 2, 1, 9, 1},
		[]byte{0xFF, 0, 0x18, 0x52, 1, 2, 3, 4, 5, 6, 7, 8, 0x0A, 0x0B, 0x0C, 0x0D, 1, 2, 9, 1}},
	{"DTO_CTR_PROPERTIES", DtoCtrProperties{Modifier: 3, Event: 1, RelatedEvent: 2, Mode: 1},
		[]byte{0xC5, 3, 1, 0, 2, 0, 1}, []byte{0xC5, 3, 0, 1, 0, 2, 1}},
	{"DTO_CTR_PROPERTIES res", DtoCtrPropertiesResponse{Properties: 0x0F, RelatedEvent: 4, Mode: 1},
		[]byte{0xFF, 0x0F, 4, 0, 1}, []byte{0xFF, 0x0F, 0, 4, 1}},
	{"SET_DAQ_PACKED_MODE off", SetDaqPackedMode{List: 1}, []byte{0xC0, 0x01, 1, 0, 0}, []byte{0xC0, 0x01, 0, 1, 0}},
	{"SET_DAQ_PACKED_MODE", SetDaqPackedMode{List: 1, Mode: ElementGrouped, TimestampMode: 1, SampleCount: 0x0102},
		[]byte{0xC0, 0x01, 1, 0, 1, 1, 2, 1}, []byte{0xC0, 0x01, 0, 1, 1, 1, 1, 2}},
	{"GET_DAQ_PACKED_MODE", GetDaqPackedMode{List: 2}, []byte{0xC0, 0x02, 2, 0}, []byte{0xC0, 0x02, 0, 2}},
	{"GET_DAQ_PACKED_MODE res", GetDaqPackedModeResponse{Mode: EventGrouped, SampleCount: 16},
		[]byte{0xFF, 0, 2, 0, 16, 0}, []byte{0xFF, 0, 2, 0, 0, 16}},
}

func TestDaqGolden(t *testing.T) {
	for _, tc := range daqGolden {
		for _, o := range []struct {
			order ByteOrder
			want  []byte
		}{{Intel, tc.intel}, {Motorola, tc.mot}} {
			f := Format{Order: o.order, MaxCTO: 255}
			got := tc.v.Append(nil, f)
			if !bytes.Equal(got, o.want) {
				t.Errorf("%s %s: Append = % X, want % X", tc.name, o.order, got, o.want)
			}
			back, err := decodeInto(tc.v, o.want, f)
			if err != nil {
				t.Errorf("%s %s: Decode: %v", tc.name, o.order, err)
				continue
			}
			if !reflect.DeepEqual(back, tc.v) {
				t.Errorf("%s %s: Decode = %+v, want %+v", tc.name, o.order, back, tc.v)
			}
			// Every shorter packet is an error matching ErrMalformed.
			for n := 0; n < len(o.want); n++ {
				if _, err := decodeInto(tc.v, o.want[:n], f); err == nil {
					if n >= minLen(tc.v) {
						continue
					}
					t.Errorf("%s %s: Decode of %d bytes succeeded", tc.name, o.order, n)
				} else if !errors.Is(err, ErrMalformed) {
					t.Errorf("%s: short packet error %v does not match ErrMalformed", tc.name, err)
				}
			}
		}
	}
}

// minLen is the length below which a packet can never be valid: optional
// trailing parts (packed-mode parameters, clock sync state) may be absent.
func minLen(v codec) int {
	switch v.(type) {
	case SetDaqPackedMode:
		return 5
	case GetDaqPackedModeResponse:
		return 3
	case GetDaqClockResponse:
		return 8
	case WriteDaqMultiple:
		return 2
	}
	return 1 << 30
}

func TestDaqDecodeRejects(t *testing.T) {
	f := Format{}
	bad := []struct {
		name string
		v    codec
		p    []byte
	}{
		{"wrong command", ClearDaqList{}, []byte{0xE2, 0, 0, 0}},
		{"start/stop mode", StartStopDaqList{}, []byte{0xDE, 3, 0, 0}},
		{"synch mode", StartStopSynch{}, []byte{0xDD, 9}},
		{"reserved AE rule", GetDaqProcessorInfoResponse{}, []byte{0xFF, 0, 0, 0, 0, 0, 0, 0x20}},
		{"granularity 3", GetDaqResolutionInfoResponse{}, []byte{0xFF, 3, 8, 1, 8, 0, 1, 0}},
		{"timestamp size 3", GetDaqResolutionInfoResponse{}, []byte{0xFF, 1, 8, 1, 8, 0x03, 1, 0}},
		{"timestamp unit 15", GetDaqResolutionInfoResponse{}, []byte{0xFF, 1, 8, 1, 8, 0xF4, 1, 0}},
		{"multiple count", WriteDaqMultiple{}, []byte{0xC7, 2, 0xFF, 1, 0, 0, 0, 0, 0, 0}},
		{"clock truncated", GetDaqClockResponse{}, []byte{0xFF, 0, 0, 0x02, 1, 2, 3, 4}},
		{"clock reserved fmt", GetDaqClockResponse{}, []byte{0xFF, 0, 0, 0x03, 1, 2, 3, 4}},
		{"packed mode 3", GetDaqPackedModeResponse{}, []byte{0xFF, 0, 3}},
		{"packed sub-command", GetDaqPackedMode{}, []byte{0xC0, 0x01, 0, 0}},
	}
	for _, tc := range bad {
		if _, err := decodeInto(tc.v, tc.p, f); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", tc.name, err)
		}
	}
}

func TestDTOHeader(t *testing.T) {
	for _, o := range []ByteOrder{Intel, Motorola} {
		f := Format{Order: o}
		for id := IDAbsODT; id <= IDRelODTAbsDAQWordAl; id++ {
			b := id.AppendDTOHeader(nil, f, 7, 0x0102)
			if len(b) != id.Len() {
				t.Fatalf("%s: len %d", id, len(b))
			}
			odt, list, n, ok := id.ParseDTOHeader(b, f)
			wantList := uint16(0x0102)
			switch id {
			case IDAbsODT:
				wantList = 0
			case IDRelODTAbsDAQByte:
				wantList = 2
			}
			if !ok || odt != 7 || list != wantList || n != id.Len() {
				t.Errorf("%s %s: got %d %d %d %v", id, o, odt, list, n, ok)
			}
			if _, _, _, ok := id.ParseDTOHeader(b[:len(b)-1], f); ok {
				t.Errorf("%s: short header accepted", id)
			}
		}
	}
}

func TestTimestampUnits(t *testing.T) {
	for s, want := range map[string]TimestampUnit{"1us": Unit1us, "DAQ_TIMESTAMP_UNIT_10NS": Unit10ns, "100PS": Unit100ps} {
		u, err := ParseTimestampUnit(s)
		if err != nil || u != want {
			t.Errorf("%s: %v %v", s, u, err)
		}
	}
	if _, err := ParseTimestampUnit("2us"); err == nil {
		t.Error("2us accepted")
	}
	if Unit1ms.Picoseconds() != 1e9 || Unit1ps.Picoseconds() != 1 {
		t.Error("picoseconds")
	}
	r := GetDaqEventInfoResponse{TimeCycle: 10, TimeUnit: Unit1ms}
	if r.CycleNanos() != 10e6 {
		t.Errorf("cycle %d", r.CycleNanos())
	}
}

func TestTimeSync(t *testing.T) {
	c := DaqClock{TriggerInfo: 2, PayloadFmt: 0x06, Slave: 0x11223344, Grandmaster: 0x55, SyncState: 3, HasSync: true}
	for _, o := range []ByteOrder{Intel, Motorola} {
		f := Format{Order: o}
		p := AppendTimeSync(nil, f, c)
		ev, err := DecodeEvent(p)
		if err != nil || ev.Code != EvTimeSync {
			t.Fatal(ev, err)
		}
		got, err := DecodeTimeSync(ev.Data, f)
		if err != nil || got != c {
			t.Errorf("%s: %+v %v", o, got, err)
		}
	}
}

// FuzzDaqDecoders feeds arbitrary bytes to every DAQ decoder: none may
// panic, and whatever decodes must encode back to a packet that decodes to
// the same value.
func FuzzDaqDecoders(f *testing.F) {
	for _, tc := range daqGolden {
		f.Add(tc.intel, false)
		f.Add(tc.mot, true)
	}
	f.Fuzz(func(t *testing.T, p []byte, motorola bool) {
		fm := Format{MaxCTO: 255}
		if motorola {
			fm.Order = Motorola
		}
		for _, tc := range daqGolden {
			v, err := decodeInto(tc.v, p, fm)
			if err != nil {
				continue
			}
			again, err := decodeInto(tc.v, v.Append(nil, fm), fm)
			if err != nil {
				t.Fatalf("%s: re-encoded packet does not decode: %v", tc.name, err)
			}
			if !reflect.DeepEqual(again, v) {
				t.Fatalf("%s: round trip %+v != %+v", tc.name, again, v)
			}
		}
		for id := IDAbsODT; id <= IDRelODTAbsDAQWordAl; id++ {
			id.ParseDTOHeader(p, fm)
		}
		if len(p) > 2 {
			DecodeTimeSync(p[2:], fm)
		}
	})
}
