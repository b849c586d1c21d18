package sim

import (
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Memory map of the simulated ECU. All regions use address extension 0;
// addresses are byte addresses. With WORD or DWORD granularity the
// commands that move memory (UPLOAD, DOWNLOAD, SHORT_*, BUILD_CHECKSUM,
// PROGRAM) require the MTA to be aligned to the granularity and count
// sizes in elements of that size.
//
//	region       base        size              access  contents
//	ROM          0x00010000  4 KiB             read    EPK string at the base, then a fixed pattern
//	CAL seg. 0   0x00020000  4 KiB × 2 pages   r/w     parameters (see vars.go); page 0 working (RAM),
//	                                                   page 1 reference (read-only for XCP)
//	FLASH        0x00030000  4 sectors × 4 KiB read    written only by PGM (PROGRAM_CLEAR / PROGRAM)
//	RAM          0x00100000  Config.RAMSize    r/w     variables in the first 0x40 bytes (vars.go),
//	                                                   then scratch memory (zero at start)
//	INFO         0xF0000000  as needed         read    what GET_ID / GET_SECTOR_INFO put the MTA on
//
// Anything else (other addresses, other extensions) is not mapped: reads
// and writes fail with ERR_ACCESS_DENIED. Writes to ROM, FLASH, INFO or the
// reference page fail with ERR_WRITE_PROTECTED.
const (
	ROMBase      uint32 = 0x0001_0000
	ROMSize             = 0x1000
	CalBase      uint32 = 0x0002_0000
	CalSize             = 0x1000
	FlashBase    uint32 = 0x0003_0000
	FlashSectors        = 4
	SectorSize          = 0x1000
	RAMBase      uint32 = 0x0010_0000
	InfoBase     uint32 = 0xF000_0000
)

// EPK is the software identification string stored at ROMBase (zero padded
// to 32 bytes) and declared as EPK in the A2L.
const EPK = "goxcp-sim EPK 1.0"

// Calibration pages.
const (
	PageWorking   = 0 // RAM page, writable
	PageReference = 1 // flash page, read-only for XCP
)

type memory struct {
	rom   []byte
	flash []byte
	ram   []byte
	info  []byte // INFO area contents (set by GET_ID, GET_SECTOR_INFO)
}

func newMemory(cfg Config) memory {
	m := memory{
		rom:   make([]byte, ROMSize),
		flash: make([]byte, FlashSectors*SectorSize),
		ram:   make([]byte, cfg.RAMSize),
	}
	copy(m.rom, EPK)
	for i := 32; i < len(m.rom); i++ {
		m.rom[i] = byte(i*7 + 3)
	}
	for i := range m.flash {
		m.flash[i] = byte(i) ^ 0xA5 // "application" image
	}
	return m
}

// regionKind says how a region may be accessed.
type regionKind uint8

const (
	regROM regionKind = iota
	regCal
	regFlash
	regRAM
	regInfo
)

// span returns the bytes [addr, addr+n) of the memory map as the XCP
// master sees it. Callers hold s.mu.
func (s *Slave) span(addr uint32, ext uint8, n int, write bool) ([]byte, regionKind, error) {
	if ext != 0 || n < 0 {
		return nil, 0, xcp.ErrAccessDenied
	}
	m := &s.mem
	regions := [...]struct {
		kind regionKind
		base uint32
		data []byte
	}{
		{regROM, ROMBase, m.rom},
		{regCal, CalBase, s.cal.pages[s.cal.xcpPage]},
		{regFlash, FlashBase, m.flash},
		{regRAM, RAMBase, m.ram},
		{regInfo, InfoBase, m.info},
	}
	for _, r := range regions {
		if addr < r.base || uint64(addr) >= uint64(r.base)+uint64(len(r.data)) {
			continue
		}
		off := int(addr - r.base)
		if n > len(r.data)-off {
			return nil, r.kind, xcp.ErrAccessDenied
		}
		if write {
			switch {
			case r.kind == regCal && s.cal.xcpPage != PageWorking,
				r.kind == regROM, r.kind == regFlash, r.kind == regInfo:
				return nil, r.kind, xcp.ErrWriteProtected
			}
		}
		return r.data[off : off+n], r.kind, nil
	}
	return nil, 0, xcp.ErrAccessDenied
}

// readMem copies len(dst) bytes at addr/ext of the memory map into dst.
// It returns nil or an xcp.ErrorCode.
func (s *Slave) readMem(addr uint32, ext uint8, dst []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readMemLocked(addr, ext, dst)
}

// readMemLocked is readMem for callers holding s.mu.
func (s *Slave) readMemLocked(addr uint32, ext uint8, dst []byte) error {
	b, kind, err := s.span(addr, ext, len(dst), false)
	if err != nil {
		return err
	}
	if kind == regRAM && addr < RAMBase+varsSize {
		s.updateVarsLocked(s.now())
	}
	copy(dst, b)
	return nil
}

// writeMem copies src to addr/ext of the memory map. It returns nil or an
// xcp.ErrorCode.
func (s *Slave) writeMem(addr uint32, ext uint8, src []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writeMemLocked(addr, ext, src)
}

// writeMemLocked is writeMem for callers holding s.mu.
func (s *Slave) writeMemLocked(addr uint32, ext uint8, src []byte) error {
	b, _, err := s.span(addr, ext, len(src), true)
	if err != nil {
		return err
	}
	copy(b, src)
	return nil
}

// ReadMemory reads n bytes of the memory map (as the XCP master sees it) —
// for tests and tools that inspect the simulated ECU directly. It returns an
// error wrapping the XCP error code a master would get.
func (s *Slave) ReadMemory(addr uint32, ext uint8, n int) ([]byte, error) {
	if n < 0 {
		return nil, fmt.Errorf("sim: read %d bytes at 0x%08X/%d: negative length: %w", n, addr, ext, xcp.ErrOutOfRange)
	}
	b := make([]byte, n)
	if err := s.readMem(addr, ext, b); err != nil {
		return nil, fmt.Errorf("sim: read %d bytes at 0x%08X/%d: %w", n, addr, ext, err)
	}
	return b, nil
}

// WriteMemory writes data to the memory map, with the same checks as
// DOWNLOAD.
func (s *Slave) WriteMemory(addr uint32, ext uint8, data []byte) error {
	if err := s.writeMem(addr, ext, data); err != nil {
		return fmt.Errorf("sim: write %d bytes at 0x%08X/%d: %w", len(data), addr, ext, err)
	}
	return nil
}

// setInfo places b in the INFO area; the next UPLOAD from InfoBase reads it.
// Callers hold s.mu.
func (s *Slave) setInfo(b []byte) {
	s.mem.info = append(s.mem.info[:0], b...)
}

// flashSector returns the sector index holding addr, or -1.
func flashSector(addr uint32) int {
	if addr < FlashBase || addr >= FlashBase+FlashSectors*SectorSize {
		return -1
	}
	return int(addr-FlashBase) / SectorSize
}
