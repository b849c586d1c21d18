package dbgtarget

import (
	"log/slog"

	"github.com/goxcp/goxcp/protocol/swdbg"
	"github.com/goxcp/goxcp/protocol/xcp"
)

// Config configures the simulated SW-DBG target (ASAM "Software
// Debugging over XCP" 1.0). The zero value is a JTAG target shaped after
// the seed's examples: MAX_CTO_DBG 1456, JTAG ID 0x00112041, the memory of
// DefaultRegions, the pins of DefaultPins, service level 2.
type Config struct {
	// MaxCTODbg is MAX_CTO_DBG (0 = 1456). Below 32 the slave implements
	// the CAN command set (DBG_READ_CAN*, DBG_WRITE_CAN*) and answers
	// DBG_READ, DBG_WRITE, DBG_WRITE_NEXT and DBG_READ_MODIFY_WRITE with
	// ERR_CMD_UNKNOWN, as a CAN-only slave would.
	MaxCTODbg int
	// T1 and T7 are the DBG_ATTACH timeouts in units of 2 ms (0 = 0xFF).
	T1, T7 uint8
	// Vendor and VendorInfo answer DBG_GET_VENDOR_INFO.
	Vendor     uint16
	VendorInfo string // "" = "goxcp simulator"
	// JTAGID is the target's JTAG ID (0 = 0x00112041); the simulated TAP
	// returns it from its IDCODE register too.
	JTAGID uint32
	// DAP selects the Infineon DAP dialect (DBG_LLT) instead of JTAG
	// (DBG_SEQUENCE_MULTIPLE).
	DAP bool
	// ServiceLevel is the initial service level 1..4 (0 = 2, exclusive).
	ServiceLevel int
	// HaltAfterReset makes DBG_HALT_AFTER_RESET available.
	HaltAfterReset bool
	// Block modes follow the base configuration: slave block mode
	// (Config.NoSlaveBlockMode off) lets DBG_READ and DBG_READ_CAN2 answer
	// with several packets; master block mode (Config.NoMasterBlockMode
	// off) accepts DBG_WRITE_NEXT and several DBG_WRITE_CAN_NEXT, at most
	// Config.MaxBS packets.
	// WriteBuffer is the number of bytes one write may span (0 = 64 KiB);
	// larger writes are refused with ERR_MEMORY_OVERFLOW.
	WriteBuffer int
	// Regions is the target memory (nil = DefaultRegions()).
	Regions []Region
	// Pins are the HW-IO pins (nil = DefaultPins()).
	Pins []Pin
	// DR192 is the initial content of the TAP's 192-bit data register,
	// bit 0 first (nil = the content that table 70 of the standard reads).
	DR192 *[24]byte
	// DAPRegs preloads the simulated DAP's command registers (nil =
	// DefaultDAPRegs()).
	DAPRegs map[uint8]uint64
}

// Region is a piece of simulated target memory seen through one TRI.
type Region struct {
	TRI      swdbg.TRI
	Base     uint64
	Size     int
	EW       swdbg.ElementWidth // the only element width allowed (0 = any)
	BusError bool               // every access ends in ERR_DBG_BUS_ERROR
	ReadOnly bool               // writes end in ERR_DBG_BUS_ERROR
	Init     []byte             // initial content (repeated to fill Size)
}

// DefaultRegions returns the default target memory: RAM at 0x70000000
// for TRI 0 and 1 (starting 01 02 03 04, as in table 80), read-only flash
// at 0x80000000 and DWORD-only peripheral registers at 0xF0000000 for
// TRI 0, a bus-error hole at 0xF8000000, and RH850 debug registers (TRI
// 255, JCU bank 0, DWORD only).
func DefaultRegions() []Region {
	ram := []byte{1, 2, 3, 4}
	return []Region{
		{TRI: 0, Base: 0x70000000, Size: 64 << 10, Init: ram},
		{TRI: 1, Base: 0x70000000, Size: 64 << 10, Init: ram},
		{TRI: 0, Base: 0x80000000, Size: 64 << 10, ReadOnly: true, Init: []byte{0xDE, 0xAD, 0xBE, 0xEF}},
		{TRI: 0, Base: 0xF0000000, Size: 4 << 10, EW: swdbg.EWDWord},
		{TRI: 0, Base: 0xF8000000, Size: 4 << 10, BusError: true},
		{TRI: swdbg.TRIRH850DebugRegs, Base: 1 << 16, Size: 1 << 10, EW: swdbg.EWDWord},
	}
}

// Pin is one simulated HW-IO pin.
type Pin struct {
	swdbg.PinInfo
	Events bool // the pin can trigger EV_DBG_HWIO_CHANGE
	High   bool // initial physical level (for inputs: the ECU side)
}

// DefaultPins returns the pins of table 67 plus a Vref input: 0 PORST
// and 1 secondary reset (in/out, low active), 2 watchdog disable (output,
// clock), 3 Vref (input).
func DefaultPins() []Pin {
	return []Pin{
		{PinInfo: swdbg.PinInfo{Index: 0, Mode: swdbg.PinInput | swdbg.PinOutput, Class: swdbg.ClassPORST, Active: swdbg.ActiveLow}, Events: true, High: true},
		{PinInfo: swdbg.PinInfo{Index: 1, Mode: swdbg.PinInput | swdbg.PinOutput, Class: swdbg.ClassSecondaryRst, Active: swdbg.ActiveLow}, Events: true, High: true},
		{PinInfo: swdbg.PinInfo{Index: 2, Mode: swdbg.PinOutput, Class: swdbg.ClassWatchdogOff, Active: swdbg.ActiveClock}},
		{PinInfo: swdbg.PinInfo{Index: 3, Mode: swdbg.PinInput, Class: swdbg.ClassVref, Active: swdbg.ActiveHigh}, Events: true, High: true},
	}
}

// DefaultDAPRegs returns the DAP register preload that makes the LLT
// examples of tables 75 and 79 answer as printed.
func DefaultDAPRegs() map[uint8]uint64 { return map[uint8]uint64{0x1A: 0x0020, 0x02: 0x00} }

// table70DR is the 192-bit register content whose 32-bit slices table 70
// reads: 0x090BC6DC, 0, 0x00009200, 0x090BC708, 0x44004400, 2.
func table70DR() [24]byte {
	var b [24]byte
	for i, v := range []uint32{0x090BC6DC, 0, 0x00009200, 0x090BC708, 0x44004400, 2} {
		for j := range 4 {
			b[4*i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

func (t *Target) init(cfg Config, c Base) {
	t.log = c.Logger
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxCTODbg == 0 {
		cfg.MaxCTODbg = 1456
	}
	cfg.MaxCTODbg = min(max(cfg.MaxCTODbg, 8), 0xFFFF)
	if cfg.T1 == 0 {
		cfg.T1 = 0xFF
	}
	if cfg.T7 == 0 {
		cfg.T7 = 0xFF
	}
	if cfg.VendorInfo == "" {
		cfg.VendorInfo = "goxcp simulator"
	}
	if cfg.JTAGID == 0 {
		cfg.JTAGID = 0x00112041
	}
	if cfg.ServiceLevel < 1 || cfg.ServiceLevel > 4 {
		cfg.ServiceLevel = 2
	}
	if cfg.WriteBuffer <= 0 {
		cfg.WriteBuffer = 64 << 10
	}
	if cfg.Regions == nil {
		cfg.Regions = DefaultRegions()
	}
	if cfg.Pins == nil {
		cfg.Pins = DefaultPins()
	}
	dr := table70DR()
	if cfg.DR192 != nil {
		dr = *cfg.DR192
	}
	if cfg.DAPRegs == nil {
		cfg.DAPRegs = DefaultDAPRegs()
	}
	t.cfg = cfg
	t.slaveBlock, t.masterBlock, t.maxBS = c.SlaveBlock, c.MasterBlock, max(1, c.MaxBS)
	t.f = xcp.Format{Order: c.Order}
	for _, r := range cfg.Regions {
		t.mem = append(t.mem, newRegion(r))
	}
	for _, p := range cfg.Pins {
		t.pins = append(t.pins, pinState{Pin: p, drive: swdbg.StateTristate, input: p.High})
	}
	t.level = swdbg.ServiceLevel(cfg.ServiceLevel - 1)
	t.tap.reset(cfg.JTAGID, dr)
	t.dap = map[uint8]swdbg.Bits{}
	for k, v := range cfg.DAPRegs {
		t.dap[k] = swdbg.BitsOf(64, v)
	}
	t.faults = map[swdbg.Command][]queuedFault{}
	t.cmdCount = map[swdbg.Command]int{}
}
