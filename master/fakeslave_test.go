package master

import (
	"bytes"
	"testing"

	"github.com/goxcp/goxcp/protocol/checksum"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// memSlave is a small in-test XCP slave with a flat memory, used until the
// simulator exists to exercise the master's command methods. It speaks
// the wire format through package xcp's codecs.
type memSlave struct {
	f           xcp.Format
	slaveBlock  bool
	masterBlock bool
	maxBS       uint8
	minST       uint8
	mem         []byte
	mta         uint32
	pending     int // elements still expected in a master block
	maxChecksum uint32
	a2l         []byte
	locked      xcp.Resource
	seed        []byte
	log         [][]byte // every command received
	noShort     bool     // answer SHORT_UPLOAD/SHORT_DOWNLOAD with ERR_CMD_UNKNOWN
	pageXCP     uint8
	busy        map[xcp.Command]int // answer ERR_CMD_BUSY this many times
}

func newMemSlave(f xcp.Format) *memSlave {
	s := &memSlave{f: f, mem: make([]byte, 64<<10), maxBS: 4, seed: []byte{1, 2, 3}, busy: map[xcp.Command]int{}}
	for i := range s.mem {
		s.mem[i] = byte(i * 7)
	}
	return s
}

func errPkt(c xcp.ErrorCode) [][]byte { return [][]byte{{xcp.PIDErr, byte(c)}} }

func ok() [][]byte { return [][]byte{{xcp.PIDRes}} }

func (s *memSlave) one(b []byte) [][]byte { return [][]byte{b} }

// demoKey is the fake slave's seed & key algorithm: every byte inverted.
func demoKey(seed []byte) []byte {
	k := make([]byte, len(seed))
	for i, b := range seed {
		k[i] = ^b
	}
	return k
}

func (s *memSlave) handle(req []byte) [][]byte {
	s.log = append(s.log, req)
	cmd := xcp.Command(req[0])
	if n := s.busy[cmd]; n > 0 {
		s.busy[cmd] = n - 1
		return errPkt(xcp.ErrCmdBusy)
	}
	if s.pending > 0 && cmd != xcp.CmdDownloadNext && cmd != xcp.CmdProgramNext {
		s.pending = 0
		return errPkt(xcp.ErrSequence)
	}
	f := s.f
	ag := f.AG.Size()
	switch cmd {
	case xcp.CmdConnect:
		basic := byte(f.Order) | f.AG.Bits()<<1 | xcp.CommModeOptional
		if s.slaveBlock {
			basic |= xcp.CommModeSlaveBlockMode
		}
		return s.one(xcp.ConnectResponse{Resource: xcp.ResCalPag | xcp.ResDaq | xcp.ResPgm, CommModeBasic: basic,
			MaxCTO: uint8(f.MaxCTO), MaxDTO: uint16(f.MaxDTO), ProtocolVersion: 1, TransportVersion: 1}.Append(nil, f))
	case xcp.CmdGetStatus:
		return s.one(xcp.GetStatusResponse{Protection: s.locked, SessionConfigID: 0x1234}.Append(nil, f))
	case xcp.CmdSynch:
		return errPkt(xcp.ErrCmdSynch)
	case xcp.CmdGetCommModeInfo:
		r := xcp.GetCommModeInfoResponse{MaxBS: s.maxBS, MinST: s.minST, DriverVersion: 0x10}
		if s.masterBlock {
			r.CommModeOptional = xcp.CommModeMasterBlockMode
		}
		return s.one(r.Append(nil, f))
	case xcp.CmdGetID:
		var c xcp.GetID
		c.Decode(req, f)
		switch c.Type {
		case xcp.IDASCII:
			return s.one(xcp.GetIDResponse{Mode: xcp.IDModeInline, Length: 4, Data: []byte("fake")}.Append(nil, f))
		case xcp.IDFile:
			s.mta = 0x8000
			copy(s.mem[0x8000:], s.a2l)
			return s.one(xcp.GetIDResponse{Length: uint32(len(s.a2l))}.Append(nil, f))
		}
		return s.one(xcp.GetIDResponse{}.Append(nil, f))
	case xcp.CmdLevel1:
		if xcp.Level1(req[1]) != xcp.L1GetVersion {
			return errPkt(xcp.ErrSubcmdUnknown)
		}
		return s.one(xcp.GetVersionResponse{ProtocolMajor: 1, ProtocolMinor: 5, TransportMajor: 1, TransportMinor: 5}.Append(nil, f))
	case xcp.CmdSetRequest:
		return ok()
	case xcp.CmdGetSeed:
		var c xcp.GetSeed
		c.Decode(req, f)
		if s.locked&c.Resource == 0 {
			return s.one(xcp.GetSeedResponse{}.Append(nil, f))
		}
		return s.one(xcp.GetSeedResponse{Remaining: uint8(len(s.seed)), Seed: s.seed}.Append(nil, f))
	case xcp.CmdUnlock:
		var c xcp.Unlock
		c.Decode(req, f)
		if !bytes.Equal(c.Key, demoKey(s.seed)) {
			return errPkt(xcp.ErrAccessLocked)
		}
		for _, r := range xcp.AllResources() {
			if s.locked&r != 0 {
				s.locked &^= r
				break
			}
		}
		return s.one(xcp.UnlockResponse{Protection: s.locked}.Append(nil, f))
	case xcp.CmdSetMTA:
		var c xcp.SetMTA
		c.Decode(req, f)
		s.mta = c.Addr
		return ok()
	case xcp.CmdUpload, xcp.CmdShortUpload:
		if s.locked&xcp.ResCalPag != 0 {
			return errPkt(xcp.ErrAccessLocked)
		}
		var n int
		if cmd == xcp.CmdUpload {
			var c xcp.Upload
			c.Decode(req, f)
			n = int(c.N)
			if n > f.MaxUploadElements() && !s.slaveBlock {
				return errPkt(xcp.ErrOutOfRange)
			}
		} else {
			if s.noShort {
				return errPkt(xcp.ErrCmdUnknown)
			}
			var c xcp.ShortUpload
			c.Decode(req, f)
			n = int(c.N)
			s.mta = c.Addr
			if n > f.MaxUploadElements() {
				return errPkt(xcp.ErrOutOfRange)
			}
		}
		var out [][]byte
		per := f.MaxUploadElements()
		for off := 0; off < n; off += per {
			k := min(per, n-off)
			out = append(out, xcp.UploadResponse{Data: s.mem[s.mta : s.mta+uint32(k*ag)]}.Append(nil, f))
			s.mta += uint32(k * ag)
		}
		return out
	case xcp.CmdShortDownload:
		if s.noShort {
			return errPkt(xcp.ErrCmdUnknown)
		}
		var c xcp.ShortDownload
		if err := c.Decode(req, f); err != nil {
			return errPkt(xcp.ErrCmdSyntax)
		}
		copy(s.mem[c.Addr:], c.Data)
		s.mta = c.Addr + uint32(len(c.Data))
		return ok()
	case xcp.CmdDownload, xcp.CmdDownloadNext:
		var n uint8
		var data []byte
		if cmd == xcp.CmdDownload {
			var c xcp.Download
			if err := c.Decode(req, f); err != nil {
				return errPkt(xcp.ErrCmdSyntax)
			}
			n, data = c.N, c.Data
			if int(n)*ag > len(data) && !s.masterBlock {
				return errPkt(xcp.ErrOutOfRange)
			}
		} else {
			var c xcp.DownloadNext
			if err := c.Decode(req, f); err != nil {
				return errPkt(xcp.ErrCmdSyntax)
			}
			n, data = c.N, c.Data
			if int(n) != s.pending {
				s.pending = 0
				return [][]byte{{xcp.PIDErr, byte(xcp.ErrSequence), byte(s.pending)}}
			}
		}
		copy(s.mem[s.mta:], data)
		s.mta += uint32(len(data))
		s.pending = int(n) - len(data)/ag
		if s.pending > 0 {
			return nil
		}
		return ok()
	case xcp.CmdDownloadMax:
		var c xcp.DownloadMax
		if err := c.Decode(req, f); err != nil {
			return errPkt(xcp.ErrCmdSyntax)
		}
		copy(s.mem[s.mta:], c.Data)
		s.mta += uint32(len(c.Data))
		return ok()
	case xcp.CmdModifyBits:
		var c xcp.ModifyBits
		c.Decode(req, f)
		v := c.Apply(f.Order.Uint32(s.mem[s.mta:]))
		f.Order.PutUint32(s.mem[s.mta:], v)
		return ok()
	case xcp.CmdBuildChecksum:
		var c xcp.BuildChecksum
		c.Decode(req, f)
		if s.maxChecksum > 0 && c.BlockSize > s.maxChecksum {
			return [][]byte{xcp.AppendChecksumBlockLimit(nil, f, s.maxChecksum)}
		}
		data := s.mem[s.mta : s.mta+c.BlockSize*uint32(ag)]
		sum, _ := checksum.Checksum(xcp.ChecksumCRC16CITT, f.Order, data)
		s.mta += uint32(len(data))
		return s.one(xcp.BuildChecksumResponse{Type: xcp.ChecksumCRC16CITT, Checksum: sum}.Append(nil, f))
	case xcp.CmdTransportLayerCmd, xcp.CmdUserCmd:
		return s.one(append([]byte{xcp.PIDRes}, req[1:]...))
	case xcp.CmdSetCalPage:
		var c xcp.SetCalPage
		c.Decode(req, f)
		if c.Page > 1 {
			return errPkt(xcp.ErrPageNotValid)
		}
		s.pageXCP = c.Page
		return ok()
	case xcp.CmdGetCalPage:
		return s.one(xcp.GetCalPageResponse{Page: s.pageXCP}.Append(nil, f))
	case xcp.CmdGetPagProcessorInfo:
		return s.one(xcp.GetPagProcessorInfoResponse{MaxSegments: 1, Properties: xcp.PagFreezeSupported}.Append(nil, f))
	case xcp.CmdGetSegmentInfo:
		var c xcp.GetSegmentInfo
		c.Decode(req, f)
		switch c.Mode {
		case xcp.SegmentInfoStandard:
			return s.one(xcp.GetSegmentInfoStandardResponse{MaxPages: 2, MaxMapping: 1}.Append(nil, f))
		case xcp.SegmentInfoBasic:
			return s.one(xcp.GetSegmentInfoValueResponse{Value: []uint32{0x4000, 0x1000}[c.Info&1]}.Append(nil, f))
		}
		return s.one(xcp.GetSegmentInfoValueResponse{Value: 0x10*uint32(c.Info) + 1}.Append(nil, f))
	case xcp.CmdGetPageInfo:
		return s.one(xcp.GetPageInfoResponse{Properties: 0x15}.Append(nil, f))
	case xcp.CmdSetSegmentMode, xcp.CmdCopyCalPage, xcp.CmdProgramClear, xcp.CmdProgramPrepare,
		xcp.CmdProgramFormat, xcp.CmdProgramVerify:
		return ok()
	case xcp.CmdGetSegmentMode:
		return s.one(xcp.GetSegmentModeResponse{Mode: 1}.Append(nil, f))
	case xcp.CmdProgramStart:
		return s.one(xcp.ProgramStartResponse{CommModePgm: xcp.CommModeMasterBlockMode, MaxCTOPgm: uint8(f.MaxCTO), MaxBSPgm: 3}.Append(nil, f))
	case xcp.CmdProgram, xcp.CmdProgramNext:
		n := int(req[1])
		hdr := max(2, ag)
		data := req[hdr:]
		if len(data) > n*ag {
			data = data[:n*ag]
		}
		copy(s.mem[s.mta:], data)
		s.mta += uint32(len(data))
		s.pending = n - len(data)/ag
		if s.pending > 0 {
			return nil
		}
		return ok()
	case xcp.CmdGetPgmProcessorInfo:
		return s.one(xcp.GetPgmProcessorInfoResponse{Properties: 1, MaxSector: 2}.Append(nil, f))
	case xcp.CmdGetSectorInfo:
		var c xcp.GetSectorInfo
		c.Decode(req, f)
		if c.Mode == xcp.SectorInfoNameLength {
			copy(s.mem[0x9000:], "boot")
			s.mta = 0x9000
			return s.one(xcp.GetSectorNameLengthResponse{NameLength: 4}.Append(nil, f))
		}
		return s.one(xcp.GetSectorInfoResponse{ClearSequence: 1, ProgramSequence: 2, Info: 0x100 * uint32(c.Sector+1)}.Append(nil, f))
	case xcp.CmdProgramReset:
		return nil
	case xcp.CmdTimeCorrelationProps:
		return s.one(xcp.TimeCorrelationPropertiesResponse{SlaveConfig: 1, ClusterID: 7}.Append(nil, f))
	}
	return errPkt(xcp.ErrCmdUnknown)
}

// connected starts the fake slave s behind a master and connects.
func connected(t testing.TB, s *memSlave, cfg Config) (*Master, func()) {
	t.Helper()
	m, stop := fakeSlaveCfg(t, s.handle, cfg)
	if _, err := m.Connect(t.Context(), xcp.ConnectNormal); err != nil {
		stop()
		t.Fatal(err)
	}
	return m, stop
}
