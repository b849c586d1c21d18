package sim

import (
	"fmt"
	"hash/crc32"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// pgmState is the programming sequence of a session.
type pgmState struct {
	started bool // PROGRAM_START succeeded
}

// PGM_PROPERTIES of the simulator: absolute and functional access,
// non-sequential programming supported.
const pgmProperties = 0x01 | 0x02 | 0x40

// PROGRAM_CLEAR functional areas the simulator knows (bit 1 = code:
// every flash sector).
const clearFunctionalCode = 0x02

// PROGRAM_VERIFY verification type the simulator checks: 0x0002 (code),
// whose verification value is the CRC-32 (IEEE) of the whole flash.
const verifyCode = 0x0002

// SectorName returns the name of flash sector i (GET_SECTOR_INFO mode 2).
func SectorName(i int) string { return fmt.Sprintf("FLASH%d", i) }

// getSectorInfo answers GET_SECTOR_INFO.
func (ss *session) getSectorInfo(c *xcp.GetSectorInfo) []byte {
	f := ss.format()
	if int(c.Sector) >= FlashSectors {
		return errPacket(xcp.ErrSegmentNotValid)
	}
	i := int(c.Sector)
	r := xcp.GetSectorInfoResponse{ClearSequence: uint8(i), ProgramSequence: uint8(FlashSectors + i)}
	switch c.Mode {
	case xcp.SectorInfoStart:
		r.Info = FlashBase + uint32(i*SectorSize)
	case xcp.SectorInfoLength:
		r.Info = SectorSize / uint32(f.AG.Size())
	case xcp.SectorInfoNameLength:
		name := SectorName(i)
		ag := f.AG.Size()
		ss.slave.setInfo(append([]byte(name), make([]byte, (ag-len(name)%ag)%ag)...))
		ss.mta, ss.mtaExt = InfoBase, 0
		return xcp.GetSectorNameLengthResponse{NameLength: uint8(len(name))}.Append(ss.out[:0], f)
	default:
		return errPacket(xcp.ErrModeNotValid)
	}
	return r.Append(ss.out[:0], f)
}

// programClear answers PROGRAM_CLEAR.
func (ss *session) programClear(c *xcp.ProgramClear) []byte {
	f := ss.format()
	flash := ss.slave.mem.flash
	switch c.Mode {
	case xcp.ClearAbsolute:
		n := uint64(c.Range) * uint64(f.AG.Size())
		first := flashSector(ss.mta)
		if ss.mtaExt != 0 || first < 0 {
			return errPacket(xcp.ErrAccessDenied)
		}
		off := uint64(ss.mta - FlashBase)
		if n == 0 || off%SectorSize != 0 || n%SectorSize != 0 || off+n > uint64(len(flash)) {
			return errPacket(xcp.ErrOutOfRange)
		}
		for i := off; i < off+n; i++ {
			flash[i] = 0xFF
		}
	case xcp.ClearFunctional:
		if c.Range != clearFunctionalCode {
			return errPacket(xcp.ErrOutOfRange)
		}
		for i := range flash {
			flash[i] = 0xFF
		}
	default:
		return errPacket(xcp.ErrOutOfRange)
	}
	return ss.ok()
}

// programData handles PROGRAM (n elements in the whole block; 0 ends the
// programming of the segment).
func (ss *session) programData(n int, data []byte) []byte {
	if n == 0 {
		return ss.ok() // end of the programming of this segment
	}
	f := ss.format()
	per := f.MaxDownloadElements()
	if n <= per {
		if code, ok := ss.flashWrite(ss.mta, ss.mtaExt, data); !ok {
			return errPacket(code)
		}
		ss.mta += uint32(len(data))
		return ss.ok()
	}
	cfg := &ss.slave.cfg
	if cfg.NoMasterBlockMode || (n+per-1)/per > int(cfg.MaxBS) {
		return errPacket(xcp.ErrOutOfRange)
	}
	if _, code, ok := ss.flashSpan(ss.mta, ss.mtaExt, n*f.AG.Size()); !ok {
		return errPacket(code)
	}
	ss.dl = blockState{active: true, next: xcp.CmdProgramNext, remaining: n - per, packets: 1,
		addr: ss.mta, ext: ss.mtaExt, buf: append(make([]byte, 0, n*f.AG.Size()), data...), last: time.Now()}
	return nil
}

// flashSpan returns the flash bytes [addr, addr+n).
func (ss *session) flashSpan(addr uint32, ext uint8, n int) ([]byte, xcp.ErrorCode, bool) {
	if ext != 0 || flashSector(addr) < 0 {
		return nil, xcp.ErrAccessDenied, false
	}
	if !ss.aligned(addr) {
		return nil, xcp.ErrOutOfRange, false
	}
	off := int(addr - FlashBase)
	if n > len(ss.slave.mem.flash)-off {
		return nil, xcp.ErrAccessDenied, false
	}
	return ss.slave.mem.flash[off : off+n], 0, true
}

// flashWrite programs data like flash memory: bits can only be cleared,
// so programming over data that was not erased leaves old zeros in place
// (PROGRAM_VERIFY or an UPLOAD shows the difference).
func (ss *session) flashWrite(addr uint32, ext uint8, data []byte) (xcp.ErrorCode, bool) {
	dst, code, ok := ss.flashSpan(addr, ext, len(data))
	if !ok {
		return code, false
	}
	for i, b := range data {
		dst[i] &= b
	}
	return 0, true
}

// getPgmProcessorInfo answers GET_PGM_PROCESSOR_INFO.
func (ss *session) getPgmProcessorInfo(*xcp.GetPgmProcessorInfo) []byte {
	f := ss.format()
	return xcp.GetPgmProcessorInfoResponse{Properties: pgmProperties, MaxSector: FlashSectors}.Append(ss.out[:0], f)
}

// programStart answers PROGRAM_START.
func (ss *session) programStart(*xcp.ProgramStart) []byte {
	f := ss.format()
	if ss.slave.daq.Running() {
		return errPacket(xcp.ErrDaqActive)
	}
	cfg := &ss.slave.cfg
	var mode uint8
	if !cfg.NoMasterBlockMode {
		mode |= xcp.CommModeMasterBlockMode
	}
	ss.pgm = pgmState{started: true}
	return xcp.ProgramStartResponse{CommModePgm: mode, MaxCTOPgm: uint8(cfg.MaxCTO), MaxBSPgm: cfg.MaxBS,
		MinSTPgm: cfg.MinST}.Append(ss.out[:0], f)
}

// program answers PROGRAM.
func (ss *session) program(c *xcp.Program) []byte {
	return ss.programData(int(c.N), c.Data)
}

// programNext answers PROGRAM_NEXT.
func (ss *session) programNext(c *xcp.ProgramNext) []byte {
	return ss.blockNext(int(c.N), c.Data, xcp.CmdProgramNext, func(b *blockState) []byte {
		if code, ok := ss.flashWrite(b.addr, b.ext, b.buf); !ok {
			return errPacket(code)
		}
		ss.mta, ss.mtaExt = b.addr+uint32(len(b.buf)), b.ext
		return ss.ok()
	})
}

// programMax answers PROGRAM_MAX.
func (ss *session) programMax(c *xcp.ProgramMax) []byte {
	if code, ok := ss.flashWrite(ss.mta, ss.mtaExt, c.Data); !ok {
		return errPacket(code)
	}
	ss.mta += uint32(len(c.Data))
	return ss.ok()
}

// programReset answers PROGRAM_RESET.
func (ss *session) programReset(*xcp.ProgramReset) []byte {
	resp := ss.ok()
	ss.endSession() // the ECU resets: back to the disconnected state
	return resp
}

// programFormat answers PROGRAM_FORMAT.
func (ss *session) programFormat(c *xcp.ProgramFormat) []byte {
	// Only plain data, sequential programming, absolute (0) or
	// functional (1) access; PROGRAM_CLEAR names its mode itself.
	if c.Compression != 0 || c.Encryption != 0 || c.Programming != 0 || c.Access > 1 {
		return errPacket(xcp.ErrOutOfRange)
	}
	return ss.ok()
}

// programVerify answers PROGRAM_VERIFY.
func (ss *session) programVerify(c *xcp.ProgramVerify) []byte {
	switch c.Mode {
	case xcp.VerifyInternal:
		return ss.ok() // the simulated flash is always internally consistent
	case xcp.VerifyValue:
		if c.Type != verifyCode {
			return errPacket(xcp.ErrOutOfRange)
		}
		if crc32.ChecksumIEEE(ss.slave.mem.flash) != c.Value {
			return errPacket(xcp.ErrVerify)
		}
		return ss.ok()
	}
	return errPacket(xcp.ErrOutOfRange)
}
