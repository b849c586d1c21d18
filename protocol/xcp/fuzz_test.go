package xcp

import "testing"

// fuzzFormat derives a session format from the first fuzz byte: bit 0 the
// byte order, bits 1-2 the granularity, the rest selects MAX_CTO.
func fuzzFormat(sel byte) Format {
	ag := []Granularity{Byte, Word, DWord, Byte}[(sel>>1)&3]
	cto := []int{8, 16, 64, 255}[(sel>>3)&3]
	return Format{Order: ByteOrder(sel & 1), AG: ag, MaxCTO: cto, MaxDTO: cto}
}

// fuzzDecoders runs every decoder of a family on p and, when one accepts
// it, checks that its re-encoding decodes again (never panicking).
func fuzzDecoders(t *testing.T, sel byte, p []byte, mk []func() decoder) {
	f := fuzzFormat(sel)
	for _, m := range mk {
		d := m()
		if err := d.Decode(p, f); err == nil {
			b := appendOf(d, f)
			if err := m().Decode(b, f); err != nil {
				t.Fatalf("%T: re-encoded % X does not decode: %v", d, b, err)
			}
		}
	}
}

func appendOf(d decoder, f Format) []byte {
	switch v := d.(type) {
	case interface{ Append([]byte, Format) []byte }:
		return v.Append(nil, f)
	}
	return nil
}

func seedFuzz(f *testing.F, packets ...string) {
	for _, s := range packets {
		b := unhex(f, s)
		for _, sel := range []byte{0x00, 0x01, 0x02, 0x05, 0x18} {
			f.Add(sel, b)
		}
	}
}

func FuzzStdDecoders(f *testing.F) {
	seedFuzz(f, "FF 41 11 03 34 12", "FF 00 03 00 08 02 04 15", "FF 01 00 00 03 00 00 00 61 62 63",
		"FF 00 00 00 45 23 01 00", "FF 00 01 02 03 04", "FF 09 00 00 26 39 F4 CB", "F4 04 00 01 44 33 22 11",
		"F9 09 EF BE", "F3 00 00 00 00 01 00 00", "F2 FF 58", "C0 00", "FF 00 01 05 01 04", "FA 04",
		"FF 15 03 20 01 00 01 01", "FE 22 00 00 00 04 00 00")
	mk := []func() decoder{
		func() decoder { return &Disconnect{} }, func() decoder { return &OKResponse{} },
		func() decoder { return &GetStatus{} }, func() decoder { return &GetStatusResponse{} },
		func() decoder { return &Synch{} }, func() decoder { return &GetCommModeInfo{} },
		func() decoder { return &GetCommModeInfoResponse{} }, func() decoder { return &GetID{} },
		func() decoder { return &GetIDResponse{} }, func() decoder { return &SetRequest{} },
		func() decoder { return &Upload{} }, func() decoder { return &UploadResponse{} },
		func() decoder { return &ShortUpload{} }, func() decoder { return &BuildChecksum{} },
		func() decoder { return &BuildChecksumResponse{} }, func() decoder { return &TransportLayerCmd{} },
		func() decoder { return &UserCmd{} }, func() decoder { return &RawResponse{} },
		func() decoder { return &GetVersion{} }, func() decoder { return &GetVersionResponse{} },
		func() decoder { return &Connect{} }, func() decoder { return &ConnectResponse{} },
		func() decoder { return &SetMTA{} }, func() decoder { return &GetSeed{} },
		func() decoder { return &GetSeedResponse{} }, func() decoder { return &Unlock{} },
		func() decoder { return &UnlockResponse{} },
	}
	f.Fuzz(func(t *testing.T, sel byte, p []byte) {
		fuzzDecoders(t, sel, p, mk)
		var u UploadResponse
		_ = u.DecodeElems(p, fuzzFormat(sel), int(int8(sel))) // negative counts too
		if e, err := DecodeError(CmdBuildChecksum, p); err == nil {
			_, _ = ChecksumBlockLimit(e, fuzzFormat(sel))
		}
	})
}

func FuzzCalDecoders(f *testing.F) {
	seedFuzz(f, "F0 03 0A 0B 0C", "F0 01 00 00 0A 0B 0C 0D", "F0 14 01 02 03 04 05 06", "EF 0E 01 02 03 04 05 06",
		"EE 01 02 03 04 05 06 07", "ED 01 00 00 00 10 00 00 AA BB", "EC 04 F0 FF 03 00")
	mk := []func() decoder{
		func() decoder { return &Download{} }, func() decoder { return &DownloadNext{} },
		func() decoder { return &DownloadMax{} }, func() decoder { return &ShortDownload{} },
		func() decoder { return &ModifyBits{} },
	}
	f.Fuzz(func(t *testing.T, sel byte, p []byte) { fuzzDecoders(t, sel, p, mk) })
}

func FuzzPagDecoders(f *testing.F) {
	seedFuzz(f, "EB 03 01 01", "EA 02 02", "FF 00 00 01", "FF 02 01", "E8 02 01 02 03", "FF 00 00 00 00 00 01 00",
		"FF 02 01 00 00 00", "E7 00 01 00", "E6 01 01", "E5 00 01", "E4 01 01 01 00")
	mk := []func() decoder{
		func() decoder { return &SetCalPage{} }, func() decoder { return &GetCalPage{} },
		func() decoder { return &GetCalPageResponse{} }, func() decoder { return &GetPagProcessorInfo{} },
		func() decoder { return &GetPagProcessorInfoResponse{} }, func() decoder { return &GetSegmentInfo{} },
		func() decoder { return &GetSegmentInfoValueResponse{} }, func() decoder { return &GetSegmentInfoStandardResponse{} },
		func() decoder { return &GetPageInfo{} }, func() decoder { return &GetPageInfoResponse{} },
		func() decoder { return &SetSegmentMode{} }, func() decoder { return &GetSegmentMode{} },
		func() decoder { return &GetSegmentModeResponse{} }, func() decoder { return &CopyCalPage{} },
	}
	f.Fuzz(func(t *testing.T, sel byte, p []byte) { fuzzDecoders(t, sel, p, mk) })
}

func FuzzPgmDecoders(f *testing.F) {
	seedFuzz(f, "D2", "FF 00 41 20 04 01 00", "D1 00 00 00 00 80 00 00", "D0 02 01 02 03 04", "D0 00", "CF", "CE",
		"FF 01 08", "CD 01 03", "FF 01 02 00 00 40 00 00", "FF 09", "CC 00 02 01", "CB 01 02 03 04",
		"CA 06 01 02 03 04 05 06", "C9 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E", "C8 01 02 00 DD CC BB AA",
		"C6 11 01 00 01 02", "FF 01 02 03 04 00 02 01")
	mk := []func() decoder{
		func() decoder { return &ProgramStart{} }, func() decoder { return &ProgramStartResponse{} },
		func() decoder { return &ProgramClear{} }, func() decoder { return &Program{} },
		func() decoder { return &ProgramReset{} }, func() decoder { return &GetPgmProcessorInfo{} },
		func() decoder { return &GetPgmProcessorInfoResponse{} }, func() decoder { return &GetSectorInfo{} },
		func() decoder { return &GetSectorInfoResponse{} }, func() decoder { return &GetSectorNameLengthResponse{} },
		func() decoder { return &ProgramPrepare{} }, func() decoder { return &ProgramFormat{} },
		func() decoder { return &ProgramNext{} }, func() decoder { return &ProgramMax{} },
		func() decoder { return &ProgramVerify{} }, func() decoder { return &TimeCorrelationProperties{} },
		func() decoder { return &TimeCorrelationPropertiesResponse{} },
	}
	f.Fuzz(func(t *testing.T, sel byte, p []byte) { fuzzDecoders(t, sel, p, mk) })
}
