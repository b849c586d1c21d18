package sim

import (
	"math"
	"time"
)

// Type is the data type of a simulated variable or parameter, named as in
// the A2L (ASAP2 datatype names).
type Type uint8

// Data types.
const (
	UByte Type = iota
	SByte
	UWord
	SWord
	ULong
	SLong
	AUint64
	Float32
	Float64
)

var typeInfo = [...]struct {
	name string
	size int
}{
	UByte: {"UBYTE", 1}, SByte: {"SBYTE", 1}, UWord: {"UWORD", 2}, SWord: {"SWORD", 2},
	ULong: {"ULONG", 4}, SLong: {"SLONG", 4}, AUint64: {"A_UINT64", 8},
	Float32: {"FLOAT32_IEEE", 4}, Float64: {"FLOAT64_IEEE", 8},
}

// String returns the A2L datatype name, e.g. "FLOAT32_IEEE".
func (t Type) String() string { return typeInfo[t].name }

// Size returns the size in bytes.
func (t Type) Size() int { return typeInfo[t].size }

// Symbol describes one variable (RAM, measured) or parameter (calibration
// segment) of the simulated ECU at a fixed address (extension 0).
type Symbol struct {
	Name    string
	Addr    uint32
	Type    Type
	Count   int // number of elements (1 for scalars)
	Unit    string
	Min     float64
	Max     float64
	Comment string
}

var variables = [...]Symbol{
	{Name: "counter", Addr: RAMBase + 0x00, Type: ULong, Count: 1, Unit: "ms", Max: math.MaxUint32, Comment: "milliseconds since start"},
	{Name: "counter16", Addr: RAMBase + 0x04, Type: UWord, Count: 1, Unit: "ms", Max: math.MaxUint16, Comment: "milliseconds since start mod 65536"},
	{Name: "counter8", Addr: RAMBase + 0x06, Type: UByte, Count: 1, Unit: "ms", Max: 255, Comment: "milliseconds since start mod 256"},
	{Name: "status", Addr: RAMBase + 0x07, Type: UByte, Count: 1, Max: 255, Comment: "bit 0 sine in its positive half wave, bit 1 enable"},
	{Name: "sine", Addr: RAMBase + 0x08, Type: Float32, Count: 1, Min: -1e6, Max: 1e6, Comment: "offset + amplitude*sin(2*pi*t/period)"},
	{Name: "ramp", Addr: RAMBase + 0x0C, Type: Float32, Count: 1, Min: 0, Max: 100, Comment: "sawtooth (slope*t) mod 100"},
	{Name: "sine64", Addr: RAMBase + 0x10, Type: Float64, Count: 1, Min: -1e6, Max: 1e6, Comment: "sine in double precision"},
	{Name: "time_us", Addr: RAMBase + 0x18, Type: AUint64, Count: 1, Unit: "us", Max: math.MaxUint64, Comment: "microseconds since start"},
	{Name: "triangle", Addr: RAMBase + 0x20, Type: SWord, Count: 1, Min: -1000, Max: 1000, Comment: "triangle wave with the sine's period"},
	{Name: "square", Addr: RAMBase + 0x22, Type: SByte, Count: 1, Min: -1, Max: 1, Comment: "square wave with the sine's period"},
}

// varsSize is the size of the variable block at RAMBase; scratch RAM
// starts after it.
const varsSize = 0x40

// Variables returns (a copy of) the measurement variables in RAM. The slave recomputes
// them from the slave time t (time since New) and the parameters on the
// ECU's calibration page whenever they are read (by UPLOAD, or by DAQ at an
// event):
//
//	counter    ULONG        t in ms (wraps)
//	counter16  UWORD        t in ms mod 2^16
//	counter8   UBYTE        t in ms mod 2^8
//	status     UBYTE        bit 0: sine in its positive half wave, bit 1: enable
//	sine       FLOAT32_IEEE offset + amplitude·sin(2π·t/period)
//	ramp       FLOAT32_IEEE (slope·t) mod 100, a sawtooth 0 … <100
//	sine64     FLOAT64_IEEE as sine, in double precision
//	time_us    A_UINT64     t in µs
//	triangle   SWORD        triangle -1000 … 1000 with the sine's period
//	square     SBYTE        +1 in the first half period, -1 in the second
//
// With enable = 0 the waveforms (sine, ramp, sine64, triangle, square)
// are 0; the counters and time_us always run.
func Variables() []Symbol { v := variables; return v[:] }

// Parameters returns (a copy of) the calibration parameters in segment 0 (CalBase), with
// the same initial values on both pages:
//
//	amplitude   FLOAT32_IEEE 100.0   sine amplitude
//	offset      FLOAT32_IEEE 0.0     sine offset
//	period_ms   ULONG        1000    period of sine, triangle and square (0 is taken as 1)
//	ramp_slope  FLOAT32_IEEE 10.0    ramp slope in units per second
//	enable      UBYTE        1       0 stops the waveforms
//	curve       UWORD[8]     0,100,…,700  a value block for array calibration
//
// The rest of the segment (from CalBase+0x40) is free calibration memory
// filled with a pattern: byte i = i mod 251, except CalBase+0x100…0x15F,
// which holds the A2L demonstration objects (a2l_demo.go).
func Parameters() []Symbol { p := parameters; return p[:] }

// ScratchBase is the first RAM address not used by Variables.
const ScratchBase = RAMBase + varsSize

var parameters = [...]Symbol{
	{Name: "amplitude", Addr: CalBase + 0x00, Type: Float32, Count: 1, Min: -1e6, Max: 1e6, Comment: "sine amplitude"},
	{Name: "offset", Addr: CalBase + 0x04, Type: Float32, Count: 1, Min: -1e6, Max: 1e6, Comment: "sine offset"},
	{Name: "period_ms", Addr: CalBase + 0x08, Type: ULong, Count: 1, Unit: "ms", Min: 1, Max: 3600000, Comment: "waveform period"},
	{Name: "ramp_slope", Addr: CalBase + 0x0C, Type: Float32, Count: 1, Unit: "1/s", Min: -1e6, Max: 1e6, Comment: "ramp slope per second"},
	{Name: "enable", Addr: CalBase + 0x10, Type: UByte, Count: 1, Min: 0, Max: 1, Comment: "0 stops the waveforms"},
	{Name: "curve", Addr: CalBase + 0x20, Type: UWord, Count: 8, Min: 0, Max: 65535, Comment: "value block"},
}

const paramsSize = 0x40

// initialCalPage returns the initial contents of a calibration page.
func initialCalPage(s *Slave) []byte {
	p := make([]byte, CalSize)
	for i := paramsSize; i < len(p); i++ {
		p[i] = byte(i % 251)
	}
	o := s.cfg.Order
	o.PutUint32(p[0x00:], math.Float32bits(100))
	o.PutUint32(p[0x04:], math.Float32bits(0))
	o.PutUint32(p[0x08:], 1000)
	o.PutUint32(p[0x0C:], math.Float32bits(10))
	p[0x10] = 1
	for i := range 8 {
		o.PutUint16(p[0x20+2*i:], uint16(100*i))
	}
	initDemoCal(p, o)
	return p
}

// updateVars recomputes the variables for slave time t.
func (s *Slave) updateVars(t time.Duration) {
	s.mu.Lock()
	s.updateVarsLocked(t)
	s.mu.Unlock()
}

// updateVarsLocked is updateVars for callers holding s.mu.
func (s *Slave) updateVarsLocked(t time.Duration) {
	o := s.cfg.Order
	p := s.cal.pages[s.cal.ecuPage]
	amp := float64(math.Float32frombits(o.Uint32(p[0x00:])))
	off := float64(math.Float32frombits(o.Uint32(p[0x04:])))
	period := time.Duration(max(1, o.Uint32(p[0x08:]))) * time.Millisecond
	slope := float64(math.Float32frombits(o.Uint32(p[0x0C:])))
	enable := p[0x10] != 0

	v := s.mem.ram[:varsSize]
	ms := uint64(t / time.Millisecond)
	o.PutUint32(v[0x00:], uint32(ms))
	o.PutUint16(v[0x04:], uint16(ms))
	v[0x06] = byte(ms)
	o.PutUint64(v[0x18:], uint64(t/time.Microsecond))

	var sine, ramp float64
	var tri int16
	var sq int8
	var status byte
	if enable {
		phase := float64(t%period) / float64(period) // 0 … <1
		sine = off + amp*math.Sin(2*math.Pi*phase)
		ramp = math.Mod(slope*t.Seconds(), 100)
		if ramp < 0 {
			ramp += 100
		}
		switch {
		case phase < 0.25:
			tri = int16(math.Round(4000 * phase))
		case phase < 0.75:
			tri = int16(math.Round(2000 - 4000*phase))
		default:
			tri = int16(math.Round(4000*phase - 4000))
		}
		sq = 1
		if phase >= 0.5 {
			sq = -1
		}
		status |= 2
		if phase > 0 && phase < 0.5 {
			status |= 1
		}
	}
	v[0x07] = status
	o.PutUint32(v[0x08:], math.Float32bits(float32(sine)))
	o.PutUint32(v[0x0C:], math.Float32bits(float32(ramp)))
	o.PutUint64(v[0x10:], math.Float64bits(sine))
	o.PutUint16(v[0x20:], uint16(tri))
	v[0x22] = byte(sq)
}
