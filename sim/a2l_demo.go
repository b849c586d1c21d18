package sim

import (
	"fmt"
	"math"
	"strings"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Demonstration objects for A2L-driven tools (issue "A2L: measure and
// calibrate by name"): they exercise a curve with a standard axis, a map
// with a fixed and a common axis, a verbal table, a FORM conversion, an
// ASCII string, a bit-masked measurement and INSTANCEs of
// TYPEDEF_STRUCTUREs, all backed by real simulator memory:
//
//	CalBase+0x100  idle_curve   CURVE: NO_AXIS_PTS_X UBYTE, up to 6 UWORD axis points (coolant °C,
//	                            LINEAR 1 -40), then as many UWORD values (rpm, LINEAR 0.5 0); 4 in use
//	CalBase+0x120  ign_map      MAP 4×3 SBYTE (deg, LINEAR 0.5 0), COLUMN_DIR; x FIX_AXIS 1000…4000 rpm,
//	                            y COM_AXIS load_axis
//	CalBase+0x130  load_axis    AXIS_PTS: NO_AXIS_PTS_X UBYTE + 3×UBYTE (%)
//	CalBase+0x138  mode         UBYTE, TAB_VERB OFF/ECO/NORMAL/SPORT
//	CalBase+0x13A  temp_limit   UWORD, FORM "X1/10-40" (°C) with FORMULA_INV
//	CalBase+0x13C  label        ASCII[16]
//	CalBase+0x150  pid          INSTANCE of pid_t {kp, ki, kd FLOAT32}
//	RAMBase+0x08   waves        INSTANCE of waves_t {sine, ramp FLOAT32; sine64 FLOAT64} (live variables)
//	RAMBase+0x07   enabled      UBYTE BIT_MASK 0x02 of status, TAB_VERB off/on
const (
	demoCurve  = 0x100
	demoMap    = 0x120
	demoAxis   = 0x130
	demoMode   = 0x138
	demoTemp   = 0x13A
	demoLabel  = 0x13C
	demoPID    = 0x150
	demoLabelN = 16
)

// initDemoCal writes the initial values of the demonstration objects into
// a calibration page.
func initDemoCal(p []byte, o xcp.ByteOrder) {
	// The record is compact (no STATIC_RECORD_LAYOUT): the values follow
	// the axis points in use.
	c := p[demoCurve:]
	axis := []uint16{40, 60, 80, 100}        // °C + 40
	vals := []uint16{1800, 1700, 1600, 1500} // rpm × 2
	c[0] = byte(len(axis))
	for i := range axis {
		o.PutUint16(c[1+2*i:], axis[i])
		o.PutUint16(c[1+2*len(axis)+2*i:], vals[i])
	}
	// ign_map, COLUMN_DIR: for each x (rpm) the y (load) values.
	for i, v := range []int8{10, 16, 20, 14, 20, 26, 18, 24, 32, 22, 28, 36} {
		p[demoMap+i] = byte(v)
	}
	copy(p[demoAxis:], []byte{3, 20, 50, 80})
	p[demoMode] = 2
	o.PutUint16(p[demoTemp:], 1200) // 80 °C
	label := make([]byte, demoLabelN)
	copy(label, "goxcp-sim")
	copy(p[demoLabel:], label)
	for i, v := range []float32{1.5, 0.25, 0.05} {
		o.PutUint32(p[demoPID+4*i:], math.Float32bits(v))
	}
}

// demoA2L appends the demonstration objects to the A2L (s.mu held).
func (s *Slave) demoA2L(b *strings.Builder) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	cal := func(off int) string { return hex32(CalBase + uint32(off)) }
	w(`    /begin COMPU_METHOD CM_RPM "engine speed" LINEAR "%%6.1" "rpm" COEFFS_LINEAR 0.5 0 /end COMPU_METHOD`)
	w(`    /begin COMPU_METHOD CM_COOLANT "coolant temperature" LINEAR "%%5.1" "degC" COEFFS_LINEAR 1 -40 /end COMPU_METHOD`)
	w(`    /begin COMPU_METHOD CM_DEG "ignition angle" LINEAR "%%5.1" "deg" COEFFS_LINEAR 0.5 0 /end COMPU_METHOD`)
	w(`    /begin COMPU_METHOD CM_PERCENT "load" IDENTICAL "%%3.0" "%%" /end COMPU_METHOD`)
	w(`    /begin COMPU_METHOD CM_MODE "operating mode" TAB_VERB "%%.0" "" COMPU_TAB_REF VT_MODE /end COMPU_METHOD`)
	w(`    /begin COMPU_VTAB VT_MODE "operating mode" TAB_VERB 4 0 "OFF" 1 "ECO" 2 "NORMAL" 3 "SPORT" /end COMPU_VTAB`)
	w(`    /begin COMPU_METHOD CM_ONOFF "switch" TAB_VERB "%%.0" "" COMPU_TAB_REF VT_ONOFF /end COMPU_METHOD`)
	w(`    /begin COMPU_VTAB VT_ONOFF "switch" TAB_VERB 2 0 "off" 1 "on" /end COMPU_VTAB`)
	w(`    /begin COMPU_METHOD CM_TEMP_FORM "temperature in 0.1 degC from -40" FORM "%%5.1" "degC"`)
	w(`      /begin FORMULA "X1/10-40" FORMULA_INV "(X1+40)*10" /end FORMULA`)
	w(`    /end COMPU_METHOD`)
	w(`    /begin RECORD_LAYOUT RL_CURVE_U16 NO_AXIS_PTS_X 1 UBYTE AXIS_PTS_X 2 UWORD INDEX_INCR DIRECT FNC_VALUES 3 UWORD ROW_DIR DIRECT /end RECORD_LAYOUT`)
	w(`    /begin RECORD_LAYOUT RL_MAP_S8 FNC_VALUES 1 SBYTE COLUMN_DIR DIRECT /end RECORD_LAYOUT`)
	w(`    /begin RECORD_LAYOUT RL_AXIS_U8 NO_AXIS_PTS_X 1 UBYTE AXIS_PTS_X 2 UBYTE INDEX_INCR DIRECT /end RECORD_LAYOUT`)
	w(`    /begin RECORD_LAYOUT RL_DEMO_U8 FNC_VALUES 1 UBYTE ROW_DIR DIRECT /end RECORD_LAYOUT`)
	w(`    /begin RECORD_LAYOUT RL_DEMO_U16 FNC_VALUES 1 UWORD ROW_DIR DIRECT /end RECORD_LAYOUT`)
	w(`    /begin RECORD_LAYOUT RL_DEMO_F32 FNC_VALUES 1 FLOAT32_IEEE ROW_DIR DIRECT /end RECORD_LAYOUT`)
	w(`    /begin CHARACTERISTIC idle_curve "idle speed over coolant temperature" CURVE %s RL_CURVE_U16 0 CM_RPM 500 1500`, cal(demoCurve))
	w(`      /begin AXIS_DESCR STD_AXIS coolant CM_COOLANT 6 -40 150 /end AXIS_DESCR`)
	w(`    /end CHARACTERISTIC`)
	w(`    /begin CHARACTERISTIC ign_map "ignition angle over speed and load" MAP %s RL_MAP_S8 0 CM_DEG -20 60`, cal(demoMap))
	w(`      /begin AXIS_DESCR FIX_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 4 1000 4000 FIX_AXIS_PAR_DIST 1000 1000 4 PHYS_UNIT "rpm" /end AXIS_DESCR`)
	w(`      /begin AXIS_DESCR COM_AXIS load CM_PERCENT 3 0 100 AXIS_PTS_REF load_axis /end AXIS_DESCR`)
	w(`    /end CHARACTERISTIC`)
	w(`    /begin AXIS_PTS load_axis "load breakpoints" %s load RL_AXIS_U8 0 CM_PERCENT 3 0 100 /end AXIS_PTS`, cal(demoAxis))
	w(`    /begin CHARACTERISTIC mode "operating mode" VALUE %s RL_DEMO_U8 0 CM_MODE 0 3 /end CHARACTERISTIC`, cal(demoMode))
	w(`    /begin CHARACTERISTIC temp_limit "temperature limit" VALUE %s RL_DEMO_U16 0 CM_TEMP_FORM -40 150 EXTENDED_LIMITS -40 200 /end CHARACTERISTIC`, cal(demoTemp))
	w(`    /begin CHARACTERISTIC label "calibration label" ASCII %s RL_DEMO_U8 0 NO_COMPU_METHOD 0 255 NUMBER %d /end CHARACTERISTIC`, cal(demoLabel), demoLabelN)
	w(`    /begin TYPEDEF_CHARACTERISTIC C_gain "controller gain" VALUE RL_DEMO_F32 0 NO_COMPU_METHOD 0 100 /end TYPEDEF_CHARACTERISTIC`)
	w(`    /begin TYPEDEF_STRUCTURE pid_t "controller parameters" 12`)
	w(`      /begin STRUCTURE_COMPONENT kp C_gain 0 /end STRUCTURE_COMPONENT`)
	w(`      /begin STRUCTURE_COMPONENT ki C_gain 4 /end STRUCTURE_COMPONENT`)
	w(`      /begin STRUCTURE_COMPONENT kd C_gain 8 /end STRUCTURE_COMPONENT`)
	w(`    /end TYPEDEF_STRUCTURE`)
	w(`    /begin INSTANCE pid "controller parameters" pid_t %s /end INSTANCE`, cal(demoPID))
	w(`    /begin TYPEDEF_MEASUREMENT M_f32 "" FLOAT32_IEEE NO_COMPU_METHOD 0 0 -1e6 1e6 /end TYPEDEF_MEASUREMENT`)
	w(`    /begin TYPEDEF_MEASUREMENT M_f64 "" FLOAT64_IEEE NO_COMPU_METHOD 0 0 -1e6 1e6 /end TYPEDEF_MEASUREMENT`)
	w(`    /begin TYPEDEF_STRUCTURE waves_t "waveforms" 16`)
	w(`      /begin STRUCTURE_COMPONENT sine M_f32 0 /end STRUCTURE_COMPONENT`)
	w(`      /begin STRUCTURE_COMPONENT ramp M_f32 4 /end STRUCTURE_COMPONENT`)
	w(`      /begin STRUCTURE_COMPONENT sine64 M_f64 8 /end STRUCTURE_COMPONENT`)
	w(`    /end TYPEDEF_STRUCTURE`)
	w(`    /begin INSTANCE waves "the waveform variables as a structure" waves_t %s /end INSTANCE`, hex32(RAMBase+0x08))
	w(`    /begin MEASUREMENT enabled "status bit 1: waveforms enabled" UBYTE CM_ONOFF 0 0 0 1 ECU_ADDRESS %s BIT_MASK 0x02 /end MEASUREMENT`, hex32(RAMBase+0x07))
}
