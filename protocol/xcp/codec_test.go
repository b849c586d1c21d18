package xcp

import (
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

type appender interface{ Append([]byte, Format) []byte }
type decoder interface{ Decode([]byte, Format) error }

var (
	intel    = Format{Order: Intel, AG: Byte, MaxCTO: 8, MaxDTO: 8}
	moto     = Format{Order: Motorola, AG: Byte, MaxCTO: 8, MaxDTO: 8}
	intelW   = Format{Order: Intel, AG: Word, MaxCTO: 16, MaxDTO: 16}
	motoW    = Format{Order: Motorola, AG: Word, MaxCTO: 16, MaxDTO: 16}
	intelD   = Format{Order: Intel, AG: DWord, MaxCTO: 16, MaxDTO: 16}
	motoD    = Format{Order: Motorola, AG: DWord, MaxCTO: 16, MaxDTO: 16}
	intel255 = Format{Order: Intel, AG: Byte, MaxCTO: 255, MaxDTO: 1024}
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGolden checks the exact bytes of every packet type and that decoding
// them and encoding again gives the same bytes (so no field is lost).
func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		f    Format
		v    appender
		want string
	}{
		// standard commands
		{"DISCONNECT", intel, Disconnect{}, "FE"},
		{"OK", intel, OKResponse{}, "FF"},
		{"GET_STATUS", intel, GetStatus{}, "FD"},
		{"GET_STATUS res intel", intel, GetStatusResponse{Session: SessionStoreCalReq | SessionDaqRunning, Protection: ResCalPag | ResPgm, StateNumber: 3, SessionConfigID: 0x1234}, "FF 41 11 03 34 12"},
		{"GET_STATUS res moto", moto, GetStatusResponse{Session: SessionResume, Protection: ResDaq, SessionConfigID: 0x1234}, "FF 80 04 00 12 34"},
		{"SYNCH", intel, Synch{}, "FC"},
		{"GET_COMM_MODE_INFO", intel, GetCommModeInfo{}, "FB"},
		{"GET_COMM_MODE_INFO res", intel, GetCommModeInfoResponse{CommModeOptional: 3, MaxBS: 8, MinST: 2, QueueSize: 4, DriverVersion: 0x15}, "FF 00 03 00 08 02 04 15"},
		{"GET_ID", intel, GetID{Type: IDFile}, "FA 04"},
		{"GET_ID res upload intel", intel, GetIDResponse{Length: 0x12345}, "FF 00 00 00 45 23 01 00"},
		{"GET_ID res upload moto", moto, GetIDResponse{Length: 0x12345}, "FF 00 00 00 00 01 23 45"},
		{"GET_ID res inline", intel255, GetIDResponse{Mode: IDModeInline, Length: 3, Data: []byte("abc")}, "FF 01 00 00 03 00 00 00 61 62 63"},
		{"SET_REQUEST intel", intel, SetRequest{Mode: RequestStoreCal | RequestClearDaq, SessionConfigID: 0xBEEF}, "F9 09 EF BE"},
		{"SET_REQUEST moto", moto, SetRequest{Mode: RequestStoreDaqResume, SessionConfigID: 0xBEEF}, "F9 04 BE EF"},
		{"UPLOAD", intel, Upload{N: 7}, "F5 07"},
		{"UPLOAD res byte", intel, UploadResponse{Data: unhex(t, "01020304")}, "FF 01 02 03 04"},
		{"UPLOAD res word", intelW, UploadResponse{Data: unhex(t, "01020304")}, "FF 00 01 02 03 04"},
		{"UPLOAD res dword", intelD, UploadResponse{Data: unhex(t, "01020304")}, "FF 00 00 00 01 02 03 04"},
		{"SHORT_UPLOAD intel", intel, ShortUpload{N: 4, Ext: 1, Addr: 0x11223344}, "F4 04 00 01 44 33 22 11"},
		{"SHORT_UPLOAD moto", moto, ShortUpload{N: 4, Ext: 1, Addr: 0x11223344}, "F4 04 00 01 11 22 33 44"},
		{"BUILD_CHECKSUM intel", intel, BuildChecksum{BlockSize: 0x100}, "F3 00 00 00 00 01 00 00"},
		{"BUILD_CHECKSUM moto", moto, BuildChecksum{BlockSize: 0x100}, "F3 00 00 00 00 00 01 00"},
		{"BUILD_CHECKSUM res intel", intel, BuildChecksumResponse{Type: ChecksumCRC32, Checksum: 0xCBF43926}, "FF 09 00 00 26 39 F4 CB"},
		{"BUILD_CHECKSUM res moto", moto, BuildChecksumResponse{Type: ChecksumAdd44, Checksum: 0xCBF43926}, "FF 06 00 00 CB F4 39 26"},
		{"TRANSPORT_LAYER_CMD", intel, TransportLayerCmd{Sub: 0xFF, Params: unhex(t, "5843 50")}, "F2 FF 58 43 50"},
		{"USER_CMD", intel, UserCmd{Sub: 0x01, Params: unhex(t, "AA")}, "F1 01 AA"},
		{"raw res", intel, RawResponse{Data: unhex(t, "0102")}, "FF 01 02"},
		{"GET_VERSION", intel, GetVersion{}, "C0 00"},
		{"GET_VERSION res", intel, GetVersionResponse{ProtocolMajor: 1, ProtocolMinor: 5, TransportMajor: 1, TransportMinor: 4}, "FF 00 01 05 01 04"},
		{"SET_MTA moto", moto, SetMTA{Addr: 0x80001000, Ext: 2}, "F6 00 00 02 80 00 10 00"},
		// calibration
		{"DOWNLOAD byte", intel, Download{N: 3, Data: unhex(t, "0A0B0C")}, "F0 03 0A 0B 0C"},
		{"DOWNLOAD word", intelW, Download{N: 2, Data: unhex(t, "0A0B0C0D")}, "F0 02 0A 0B 0C 0D"},
		{"DOWNLOAD dword", motoD, Download{N: 1, Data: unhex(t, "0A0B0C0D")}, "F0 01 00 00 0A 0B 0C 0D"},
		{"DOWNLOAD block first", intel, Download{N: 20, Data: unhex(t, "010203040506")}, "F0 14 01 02 03 04 05 06"},
		{"DOWNLOAD_NEXT byte", intel, DownloadNext{N: 14, Data: unhex(t, "010203040506")}, "EF 0E 01 02 03 04 05 06"},
		{"DOWNLOAD_NEXT dword", intelD, DownloadNext{N: 1, Data: unhex(t, "0A0B0C0D")}, "EF 01 00 00 0A 0B 0C 0D"},
		{"DOWNLOAD_MAX byte", intel, DownloadMax{Data: unhex(t, "01020304050607")}, "EE 01 02 03 04 05 06 07"},
		{"DOWNLOAD_MAX word", motoW, DownloadMax{Data: unhex(t, "0102030405060708090A0B0C0D0E")}, "EE 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E"},
		{"DOWNLOAD_MAX dword", intelD, DownloadMax{Data: unhex(t, "0102030405060708090A0B0C")}, "EE 00 00 00 01 02 03 04 05 06 07 08 09 0A 0B 0C"},
		{"SHORT_DOWNLOAD intel", intelW, ShortDownload{Ext: 0, Addr: 0x1000, Data: unhex(t, "AABB")}, "ED 01 00 00 00 10 00 00 AA BB"},
		{"SHORT_DOWNLOAD moto", motoD, ShortDownload{Ext: 3, Addr: 0x1000, Data: unhex(t, "AABBCCDD")}, "ED 01 00 03 00 00 10 00 AA BB CC DD"},
		{"MODIFY_BITS intel", intel, ModifyBits{Shift: 4, AndMask: 0xFFF0, XorMask: 0x0003}, "EC 04 F0 FF 03 00"},
		{"MODIFY_BITS moto", moto, ModifyBits{Shift: 4, AndMask: 0xFFF0, XorMask: 0x0003}, "EC 04 FF F0 00 03"},
		// page switching
		{"SET_CAL_PAGE", intel, SetCalPage{Mode: CalPageECU | CalPageXCP, Segment: 1, Page: 1}, "EB 03 01 01"},
		{"GET_CAL_PAGE", intel, GetCalPage{Mode: CalPageXCP, Segment: 2}, "EA 02 02"},
		{"GET_CAL_PAGE res", intel, GetCalPageResponse{Page: 1}, "FF 00 00 01"},
		{"GET_PAG_PROCESSOR_INFO", intel, GetPagProcessorInfo{}, "E9"},
		{"GET_PAG_PROCESSOR_INFO res", intel, GetPagProcessorInfoResponse{MaxSegments: 2, Properties: PagFreezeSupported}, "FF 02 01"},
		{"GET_SEGMENT_INFO", intel, GetSegmentInfo{Mode: SegmentInfoMapping, Segment: 1, Info: 2, MappingIndex: 3}, "E8 02 01 02 03"},
		{"GET_SEGMENT_INFO res value intel", intel, GetSegmentInfoValueResponse{Value: 0x00010000}, "FF 00 00 00 00 00 01 00"},
		{"GET_SEGMENT_INFO res value moto", moto, GetSegmentInfoValueResponse{Value: 0x00010000}, "FF 00 00 00 00 01 00 00"},
		{"GET_SEGMENT_INFO res std", intel, GetSegmentInfoStandardResponse{MaxPages: 2, Ext: 1, MaxMapping: 0, Compression: 0, Encryption: 0}, "FF 02 01 00 00 00"},
		{"GET_PAGE_INFO", intel, GetPageInfo{Segment: 1, Page: 0}, "E7 00 01 00"},
		{"GET_PAGE_INFO res", intel, GetPageInfoResponse{Properties: PageXCPReadWithoutECU | PageXCPWriteWithoutECU, InitSegment: 1}, "FF 14 01"},
		{"SET_SEGMENT_MODE", intel, SetSegmentMode{Mode: SegmentFreeze, Segment: 1}, "E6 01 01"},
		{"GET_SEGMENT_MODE", intel, GetSegmentMode{Segment: 1}, "E5 00 01"},
		{"GET_SEGMENT_MODE res", intel, GetSegmentModeResponse{Mode: SegmentFreeze}, "FF 00 01"},
		{"COPY_CAL_PAGE", intel, CopyCalPage{SrcSegment: 1, SrcPage: 1, DstSegment: 1, DstPage: 0}, "E4 01 01 01 00"},
		// programming
		{"PROGRAM_START", intel, ProgramStart{}, "D2"},
		{"PROGRAM_START res", intel, ProgramStartResponse{CommModePgm: 0x41, MaxCTOPgm: 0x20, MaxBSPgm: 4, MinSTPgm: 1, QueueSizePgm: 0}, "FF 00 41 20 04 01 00"},
		{"PROGRAM_CLEAR intel", intel, ProgramClear{Mode: ClearAbsolute, Range: 0x8000}, "D1 00 00 00 00 80 00 00"},
		{"PROGRAM_CLEAR moto", moto, ProgramClear{Mode: ClearFunctional, Range: 0x8000}, "D1 01 00 00 00 00 80 00"},
		{"PROGRAM word", intelW, Program{N: 2, Data: unhex(t, "01020304")}, "D0 02 01 02 03 04"},
		{"PROGRAM end", intel, Program{}, "D0 00"},
		{"PROGRAM dword", motoD, Program{N: 1, Data: unhex(t, "01020304")}, "D0 01 00 00 01 02 03 04"},
		{"PROGRAM_RESET", intel, ProgramReset{}, "CF"},
		{"GET_PGM_PROCESSOR_INFO", intel, GetPgmProcessorInfo{}, "CE"},
		{"GET_PGM_PROCESSOR_INFO res", intel, GetPgmProcessorInfoResponse{Properties: 0x01, MaxSector: 8}, "FF 01 08"},
		{"GET_SECTOR_INFO", intel, GetSectorInfo{Mode: SectorInfoLength, Sector: 3}, "CD 01 03"},
		{"GET_SECTOR_INFO res intel", intel, GetSectorInfoResponse{ClearSequence: 1, ProgramSequence: 2, Method: 0, Info: 0x4000}, "FF 01 02 00 00 40 00 00"},
		{"GET_SECTOR_INFO res moto", moto, GetSectorInfoResponse{ClearSequence: 1, ProgramSequence: 2, Method: 0, Info: 0x4000}, "FF 01 02 00 00 00 40 00"},
		{"GET_SECTOR_INFO name res", intel, GetSectorNameLengthResponse{NameLength: 9}, "FF 09"},
		{"PROGRAM_PREPARE intel", intel, ProgramPrepare{CodeSize: 0x0102}, "CC 00 02 01"},
		{"PROGRAM_PREPARE moto", moto, ProgramPrepare{CodeSize: 0x0102}, "CC 00 01 02"},
		{"PROGRAM_FORMAT", intel, ProgramFormat{Compression: 1, Encryption: 2, Programming: 3, Access: 4}, "CB 01 02 03 04"},
		{"PROGRAM_NEXT", intel, ProgramNext{N: 6, Data: unhex(t, "010203040506")}, "CA 06 01 02 03 04 05 06"},
		{"PROGRAM_MAX word", intelW, ProgramMax{Data: unhex(t, "0102030405060708090A0B0C0D0E")}, "C9 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E"},
		{"PROGRAM_VERIFY intel", intel, ProgramVerify{Mode: VerifyValue, Type: 0x0002, Value: 0xAABBCCDD}, "C8 01 02 00 DD CC BB AA"},
		{"PROGRAM_VERIFY moto", moto, ProgramVerify{Mode: VerifyValue, Type: 0x0002, Value: 0xAABBCCDD}, "C8 01 00 02 AA BB CC DD"},
		{"TIME_CORRELATION_PROPERTIES", moto, TimeCorrelationProperties{SetProperties: 0x11, GetPropertiesRequest: 1, ClusterID: 0x0102}, "C6 11 01 00 01 02"},
		{"TIME_CORRELATION_PROPERTIES res", intel, TimeCorrelationPropertiesResponse{SlaveConfig: 1, ObservableClocks: 2, SyncState: 3, ClockInfo: 4, ClusterID: 0x0102}, "FF 01 02 03 04 00 02 01"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.v.Append(nil, tc.f)
			if want := unhex(t, tc.want); !reflect.DeepEqual(got, want) {
				t.Fatalf("Append = % X, want % X", got, want)
			}
			if len(got) > tc.f.CTO() {
				t.Fatalf("%d bytes exceed MAX_CTO %d", len(got), tc.f.CTO())
			}
			d := reflect.New(reflect.TypeOf(tc.v)).Interface().(decoder)
			if err := d.Decode(got, tc.f); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			again := reflect.ValueOf(d).Elem().Interface().(appender).Append(nil, tc.f)
			if !reflect.DeepEqual(again, got) {
				t.Fatalf("round trip: % X, want % X", again, got)
			}
			// Every strictly shorter packet must be rejected (for types
			// without variable-length tails), never panic.
			for n := range len(got) {
				_ = d.Decode(got[:n], tc.f)
			}
		})
	}
}

// TestDecodeRejectsShort checks that decoders name the packet and report
// ErrMalformed for truncated input.
func TestDecodeRejectsShort(t *testing.T) {
	tests := []struct {
		name string
		f    Format
		d    decoder
		p    string
	}{
		{"GET_STATUS res", intel, &GetStatusResponse{}, "FF 00 00 00 00"},
		{"GET_COMM_MODE_INFO res", intel, &GetCommModeInfoResponse{}, "FF 00 01 00 08 00 00"},
		{"GET_ID res", intel, &GetIDResponse{}, "FF 00 00 00 01 00 00"},
		{"GET_ID inline truncated", intel255, &GetIDResponse{}, "FF 01 00 00 05 00 00 00 61 62"},
		{"UPLOAD res dword no align", intelD, &UploadResponse{}, "FF 00 00"},
		{"SHORT_UPLOAD", intel, &ShortUpload{}, "F4 01 00 00 00 10 00"},
		{"BUILD_CHECKSUM res", intel, &BuildChecksumResponse{}, "FF 09 00 00 26 39 F4"},
		{"DOWNLOAD short", intel, &Download{}, "F0 04 01 02 03"},
		{"DOWNLOAD word short", intelW, &Download{}, "F0 02 01 02 03"},
		{"DOWNLOAD block not full", intel, &Download{}, "F0 20 01 02 03 04 05"},
		{"DOWNLOAD_NEXT short", intel, &DownloadNext{}, "EF 02 01"},
		{"DOWNLOAD_MAX short", intelW, &DownloadMax{}, "EE 00 01 02"},
		{"SHORT_DOWNLOAD short", intel255, &ShortDownload{}, "ED 02 00 00 00 10 00 00 01"},
		{"MODIFY_BITS", intel, &ModifyBits{}, "EC 00 FF FF 00"},
		{"GET_CAL_PAGE res", intel, &GetCalPageResponse{}, "FF 00 00"},
		{"GET_SEGMENT_INFO", intel, &GetSegmentInfo{}, "E8 00 00 00"},
		{"GET_SEGMENT_INFO std res", intel, &GetSegmentInfoStandardResponse{}, "FF 01 00 00 00"},
		{"PROGRAM_START res", intel, &ProgramStartResponse{}, "FF 00 00 08 00 00"},
		{"PROGRAM short", intelD, &Program{}, "D0 01 00 00 01 02 03"},
		{"PROGRAM_VERIFY", intel, &ProgramVerify{}, "C8 00 00 00 00 00 00"},
		{"GET_VERSION res", intel, &GetVersionResponse{}, "FF 00 01 05 01"},
		{"TIME_CORRELATION_PROPERTIES res", intel, &TimeCorrelationPropertiesResponse{}, "FF 00 00 00 00 00 00"},
		{"wrong PID", intel, &GetStatusResponse{}, "FE 00 00 00 00 00"},
		{"GET_VERSION wrong sub", intel, &GetVersion{}, "C0 01"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.d.Decode(unhex(t, tc.p), tc.f)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decode(% s) = %v, want ErrMalformed", tc.p, err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	type validator interface{ Validate(Format) error }
	tests := []struct {
		name string
		f    Format
		v    validator
		ok   bool
	}{
		{"DOWNLOAD fits", intel, Download{N: 6, Data: make([]byte, 6)}, true},
		{"DOWNLOAD too long", intel, Download{N: 7, Data: make([]byte, 7)}, false},
		{"DOWNLOAD word odd", intelW, Download{N: 1, Data: make([]byte, 3)}, false},
		{"DOWNLOAD word max", intelW, Download{N: 7, Data: make([]byte, 14)}, true},
		{"DOWNLOAD dword max", intelD, Download{N: 3, Data: make([]byte, 12)}, true},
		{"DOWNLOAD dword over", intelD, Download{N: 4, Data: make([]byte, 16)}, false},
		{"DOWNLOAD count below data", intel, Download{N: 2, Data: make([]byte, 3)}, false},
		{"DOWNLOAD block partial first", intel, Download{N: 20, Data: make([]byte, 3)}, false},
		{"DOWNLOAD block first", intel, Download{N: 20, Data: make([]byte, 6)}, true},
		{"DOWNLOAD empty", intel, Download{}, false},
		{"PROGRAM end", intel, Program{}, true},
		{"DOWNLOAD_MAX exact", intelW, DownloadMax{Data: make([]byte, 14)}, true},
		{"DOWNLOAD_MAX short", intelW, DownloadMax{Data: make([]byte, 12)}, false},
		{"SHORT_DOWNLOAD fits", intel255, ShortDownload{Data: make([]byte, 247)}, true},
		{"SHORT_DOWNLOAD too long", intel255, ShortDownload{Data: make([]byte, 248)}, false},
		{"SHORT_DOWNLOAD cto8", intel, ShortDownload{Data: make([]byte, 1)}, false},
		{"SHORT_UPLOAD fits", intel, ShortUpload{N: 7}, true},
		{"SHORT_UPLOAD too long", intelD, ShortUpload{N: 4}, false},
		{"USER_CMD too long", intel, UserCmd{Params: make([]byte, 7)}, false},
		{"TRANSPORT_LAYER_CMD fits", intel, TransportLayerCmd{Params: make([]byte, 6)}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.v.Validate(tc.f); (err == nil) != tc.ok {
				t.Fatalf("Validate = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestFormatSizes(t *testing.T) {
	tests := []struct {
		f                          Format
		upload, download, short, n int
		packets                    int
	}{
		{intel, 7, 6, 0, 255, 37},
		{intelW, 7, 7, 4, 255, 37},
		{intelD, 3, 3, 2, 10, 4},
		{intel255, 254, 253, 247, 255, 2},
	}
	for _, tc := range tests {
		if g := tc.f.MaxUploadElements(); g != tc.upload {
			t.Errorf("%+v MaxUploadElements = %d, want %d", tc.f, g, tc.upload)
		}
		if g := tc.f.MaxDownloadElements(); g != tc.download {
			t.Errorf("%+v MaxDownloadElements = %d, want %d", tc.f, g, tc.download)
		}
		if g := tc.f.MaxShortDownload(); g != tc.short {
			t.Errorf("%+v MaxShortDownload = %d, want %d", tc.f, g, tc.short)
		}
		if g := tc.f.UploadPackets(tc.n); g != tc.packets {
			t.Errorf("%+v UploadPackets(%d) = %d, want %d", tc.f, tc.n, g, tc.packets)
		}
	}
}

func TestModifyBitsApply(t *testing.T) {
	// Clear bits 4..7 then set bit 4: AND mask keeps all but the low
	// nibble of the shifted window; XOR sets its bit 0.
	c := ModifyBits{Shift: 4, AndMask: 0xFFF0, XorMask: 0x0001}
	if got := c.Apply(0xFFFF_FFFF); got != 0xFFFF_FF1F {
		t.Fatalf("Apply = %08X", got)
	}
	if got := (ModifyBits{Shift: 0, AndMask: 0xFFFF, XorMask: 0xFFFF}).Apply(0x12345678); got != 0x1234A987 {
		t.Fatalf("toggle = %08X", got)
	}
}

func TestChecksumBlockLimit(t *testing.T) {
	for _, f := range []Format{intel, moto} {
		p := AppendChecksumBlockLimit(nil, f, 0x400)
		e, err := DecodeError(CmdBuildChecksum, p)
		if err != nil {
			t.Fatal(err)
		}
		if max, ok := ChecksumBlockLimit(e, f); !ok || max != 0x400 {
			t.Fatalf("%v: limit %d %v from % X", f.Order, max, ok, p)
		}
	}
	e := &Error{Cmd: CmdBuildChecksum, Code: ErrOutOfRange}
	if _, ok := ChecksumBlockLimit(e, intel); ok {
		t.Fatal("limit from an ERR packet without data")
	}
}

func TestNamesAndStrings(t *testing.T) {
	if s := (SessionStoreCalReq | SessionResume).String(); s != "STORE_CAL_REQ|RESUME" {
		t.Fatal(s)
	}
	if ChecksumCRC16CITT.String() != "XCP_CRC_16_CITT" || ChecksumType(0x42).String() != "ChecksumType(0x42)" {
		t.Fatal("checksum names")
	}
	if IDFile.String() != "ASAM-MC2 file" || IDType(200).String() != "user defined 200" {
		t.Fatal("id names")
	}
	r := GetCommModeInfoResponse{CommModeOptional: CommModeMasterBlockMode, MinST: 3}
	if !r.MasterBlockMode() || r.Interleaved() || r.MinSeparation().Microseconds() != 300 {
		t.Fatalf("%+v", r)
	}
}

func TestDecodeElemsBadCount(t *testing.T) {
	p := []byte{0xFF, 1, 2, 3, 4}
	for _, n := range []int{-1, -4, 256} {
		var r UploadResponse
		if err := r.DecodeElems(p, Format{MaxCTO: 8}, n); err == nil {
			t.Errorf("DecodeElems(n=%d) = % X, want an error", n, r.Data)
		}
	}
}
