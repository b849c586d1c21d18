package a2l_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goxcp/goxcp/a2l"
)

// allKeywords uses every keyword the parser knows (kept or skipped) once.
const allKeywords = `ASAP2_VERSION 1 71
A2ML_VERSION 1 31
/begin PROJECT proj "project"
  /begin HEADER "header" VERSION "V1" PROJECT_NO P42 /end HEADER
  /begin MODULE mod "module"
    /begin A2ML block "IF_DATA" taggedunion { "XCP" struct { uint; }; }; /end A2ML
    /begin MOD_COMMON "common" BYTE_ORDER MSB_FIRST ALIGNMENT_BYTE 1 ALIGNMENT_WORD 2 ALIGNMENT_LONG 4
      ALIGNMENT_INT64 8 ALIGNMENT_FLOAT16_IEEE 2 ALIGNMENT_FLOAT32_IEEE 4 ALIGNMENT_FLOAT64_IEEE 8 DATA_SIZE 16 DEPOSIT ABSOLUTE S_REC_LAYOUT S1
    /end MOD_COMMON
    /begin MOD_PAR "par" VERSION "v" SUPPLIER "s" CUSTOMER "c" CUSTOMER_NO "42" USER "u" PHONE_NO "0" ECU "e" CPU_TYPE "cpu"
      NO_OF_INTERFACES 2 EPK "epk" ADDR_EPK 0x100 ADDR_EPK 0x200 ECU_CALIBRATION_OFFSET 0 SYSTEM_CONSTANT "N" "4"
      /begin CALIBRATION_METHOD "InCircuit" 2 /begin CALIBRATION_HANDLE 0x10 0x20 /end CALIBRATION_HANDLE /end CALIBRATION_METHOD
      /begin MEMORY_LAYOUT PRG_DATA 0x0 0x100 -1 -1 -1 -1 -1 /end MEMORY_LAYOUT
      /begin MEMORY_SEGMENT seg "seg" DATA RAM INTERN 0x1000 0x100 -1 -1 -1 -1 -1 /begin IF_DATA XCP 1 /end IF_DATA /end MEMORY_SEGMENT
    /end MOD_PAR
    /begin MEASUREMENT meas "m" SLONG lin 1 0.5 -100 100
      ECU_ADDRESS 0x1000 ECU_ADDRESS_EXTENSION 3 ARRAY_SIZE 4 BIT_MASK 0xFFFF0000 BYTE_ORDER MSB_LAST READ_WRITE
      DISPLAY_IDENTIFIER meas_disp FORMAT "%8.2" PHYS_UNIT "V" SYMBOL_LINK "sym" 8 MAX_REFRESH 1 10 ERROR_MASK 0x1
      LAYOUT ROW_DIR ADDRESS_TYPE PLONG REF_MEMORY_SEGMENT seg MODEL_LINK "m/x" DISCRETE
      /begin ANNOTATION ANNOTATION_LABEL "l" ANNOTATION_ORIGIN "o" /begin ANNOTATION_TEXT "t" /end ANNOTATION_TEXT /end ANNOTATION
      /begin BIT_OPERATION RIGHT_SHIFT 4 SIGN_EXTEND /end BIT_OPERATION
      /begin FUNCTION_LIST fn /end FUNCTION_LIST
      /begin VIRTUAL a b /end VIRTUAL
      /begin IF_DATA XCP /begin DAQ_EVENT FIXED_EVENT_LIST EVENT 2 /end DAQ_EVENT /end IF_DATA
      /begin IF_DATA CANAPE_EXT 100 /end IF_DATA
    /end MEASUREMENT
    /begin CHARACTERISTIC cub "cuboid" CUBOID 0x2000 RL 0.1 rat -10 10
      CALIBRATION_ACCESS CALIBRATION COMPARISON_QUANTITY meas ENCODING UTF8 GUARD_RAILS NUMBER 1 READ_ONLY STEP_SIZE 0.5
      EXTENDED_LIMITS -20 20 MATRIX_DIM 1 1 1
      /begin DEPENDENT_CHARACTERISTIC "X1*2" meas /end DEPENDENT_CHARACTERISTIC
      /begin VIRTUAL_CHARACTERISTIC "X1" meas /end VIRTUAL_CHARACTERISTIC
      /begin MAP_LIST a b /end MAP_LIST
      /begin AXIS_DESCR STD_AXIS meas lin 8 -100 100 BYTE_ORDER MSB_FIRST DEPOSIT DIFFERENCE EXTENDED_LIMITS -200 200
        FORMAT "%4.1" PHYS_UNIT "V" MAX_GRAD 2 MONOTONY STRICT_INCREASE READ_ONLY STEP_SIZE 1
        /begin ANNOTATION /end ANNOTATION
      /end AXIS_DESCR
      /begin AXIS_DESCR FIX_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 4 0 24 FIX_AXIS_PAR 0 3 4 /end AXIS_DESCR
      /begin AXIS_DESCR CURVE_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 3 0 1 CURVE_AXIS_REF crv /end AXIS_DESCR
    /end CHARACTERISTIC
    /begin CHARACTERISTIC crv "curve" CURVE 0x3000 RL 0 NO_COMPU_METHOD 0 1
      /begin AXIS_DESCR RES_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 3 0 1 AXIS_PTS_REF ax /end AXIS_DESCR
    /end CHARACTERISTIC
    /begin CHARACTERISTIC fixl "fix list" CURVE 0x3100 RL 0 NO_COMPU_METHOD 0 1
      /begin AXIS_DESCR FIX_AXIS NO_INPUT_QUANTITY NO_COMPU_METHOD 3 0 9 /begin FIX_AXIS_PAR_LIST 1 4 9 /end FIX_AXIS_PAR_LIST /end AXIS_DESCR
    /end CHARACTERISTIC
    /begin AXIS_PTS ax "axis" 0x4000 meas RL_AX 0 lin 8 -100 100 DEPOSIT ABSOLUTE BYTE_ORDER MSB_LAST CALIBRATION_ACCESS NO_CALIBRATION
      DISPLAY_IDENTIFIER axd ECU_ADDRESS_EXTENSION 1 EXTENDED_LIMITS -200 200 FORMAT "%5.2" GUARD_RAILS MONOTONY MON_INCREASE
      PHYS_UNIT "V" READ_ONLY REF_MEMORY_SEGMENT seg STEP_SIZE 1 SYMBOL_LINK "ax" 0 MODEL_LINK "m"
      /begin FUNCTION_LIST fn /end FUNCTION_LIST
    /end AXIS_PTS
    /begin BLOB blb "blob" 0x5000 16 ECU_ADDRESS_EXTENSION 2 ADDRESS_TYPE DIRECT CALIBRATION_ACCESS CALIBRATION /end BLOB
    /begin COMPU_METHOD lin "linear" LINEAR "%6.2" "V" COEFFS_LINEAR 2 1 REF_UNIT volt /end COMPU_METHOD
    /begin COMPU_METHOD rat "rational" RAT_FUNC "%6.2" "" COEFFS 0 1 0 0 0 1 STATUS_STRING_REF st /end COMPU_METHOD
    /begin COMPU_METHOD tab "table" TAB_INTP "%6.2" "" COMPU_TAB_REF t1 /end COMPU_METHOD
    /begin COMPU_METHOD vr "range" TAB_VERB "%6.2" "" COMPU_TAB_REF st /end COMPU_METHOD
    /begin COMPU_TAB t1 "t" TAB_INTP 2 0 0 10 100 DEFAULT_VALUE "none" DEFAULT_VALUE_NUMERIC -1 /end COMPU_TAB
    /begin COMPU_VTAB_RANGE st "status" 2 0 0 "ok" 1 255 "error" DEFAULT_VALUE "?" /end COMPU_VTAB_RANGE
    /begin UNIT volt "volt" "V" EXTENDED_SI SI_EXPONENTS 2 1 -3 -1 0 0 0 /end UNIT
    /begin UNIT mvolt "millivolt" "mV" DERIVED REF_UNIT volt UNIT_CONVERSION 0.001 0 /end UNIT
    /begin GROUP grp "group" ROOT /begin REF_CHARACTERISTIC cub crv /end REF_CHARACTERISTIC /begin REF_MEASUREMENT meas /end REF_MEASUREMENT
      /begin SUB_GROUP sub /end SUB_GROUP /begin FUNCTION_LIST fn /end FUNCTION_LIST /begin ANNOTATION /end ANNOTATION /end GROUP
    /begin GROUP sub "sub" /end GROUP
    /begin FUNCTION fn "function" FUNCTION_VERSION "1.0" /begin DEF_CHARACTERISTIC cub /end DEF_CHARACTERISTIC
      /begin REF_CHARACTERISTIC crv /end REF_CHARACTERISTIC /begin IN_MEASUREMENT meas /end IN_MEASUREMENT
      /begin OUT_MEASUREMENT meas /end OUT_MEASUREMENT /begin LOC_MEASUREMENT meas /end LOC_MEASUREMENT
      /begin SUB_FUNCTION fn2 /end SUB_FUNCTION /begin ANNOTATION /end ANNOTATION
      /begin AR_COMPONENT "ApplicationSwComponentType" AR_PROTOTYPE_OF "base" /end AR_COMPONENT /end FUNCTION
    /begin RECORD_LAYOUT RL IDENTIFICATION 1 UWORD NO_AXIS_PTS_X 2 UBYTE NO_AXIS_PTS_Y 3 UBYTE NO_AXIS_PTS_Z 4 UBYTE
      AXIS_PTS_X 5 SWORD INDEX_INCR DIRECT AXIS_PTS_Y 6 SWORD INDEX_DECR PWORD AXIS_PTS_Z 7 SWORD INDEX_INCR DIRECT
      FNC_VALUES 8 FLOAT32_IEEE COLUMN_DIR DIRECT AXIS_RESCALE_X 9 UBYTE 5 INDEX_INCR DIRECT NO_RESCALE_X 10 UBYTE
      FIX_NO_AXIS_PTS_4 3 SRC_ADDR_X 11 ULONG RIP_ADDR_X 12 UWORD RIP_ADDR_W 13 UWORD SHIFT_OP_X 14 UBYTE OFFSET_X 15 UWORD
      DIST_OP_X 16 UWORD RESERVED 17 LONG ALIGNMENT_WORD 2 STATIC_RECORD_LAYOUT STATIC_ADDRESS_OFFSETS
    /end RECORD_LAYOUT
    /begin RECORD_LAYOUT RL_AX NO_AXIS_PTS_X 1 UBYTE AXIS_PTS_X 2 SWORD INDEX_INCR DIRECT /end RECORD_LAYOUT
    /begin TYPEDEF_AXIS tax "typedef axis" meas RL_AX 0 lin 8 -1 1 BYTE_ORDER MSB_FIRST DEPOSIT ABSOLUTE EXTENDED_LIMITS -2 2
      FORMAT "%3.1" MONOTONY MON_INCREASE PHYS_UNIT "V" STEP_SIZE 0.1 /end TYPEDEF_AXIS
    /begin TYPEDEF_BLOB tblob "typedef blob" 32 ADDRESS_TYPE DIRECT /end TYPEDEF_BLOB
    /begin TYPEDEF_MEASUREMENT tm "tm" UWORD lin 0 0 0 100 BIT_MASK 0xFF0 BYTE_ORDER MSB_LAST DISCRETE ERROR_MASK 1 FORMAT "%3.0"
      LAYOUT ROW_DIR MATRIX_DIM 2 3 PHYS_UNIT "x" ADDRESS_TYPE DIRECT /begin BIT_OPERATION LEFT_SHIFT 1 /end BIT_OPERATION /end TYPEDEF_MEASUREMENT
    /begin TYPEDEF_CHARACTERISTIC tc "tc" VALUE RL 0 NO_COMPU_METHOD 0 1 BIT_MASK 1 BYTE_ORDER MSB_FIRST DISCRETE ENCODING UTF8
      EXTENDED_LIMITS 0 2 FORMAT "%1.0" MATRIX_DIM 1 NUMBER 1 PHYS_UNIT "" STEP_SIZE 1 /end TYPEDEF_CHARACTERISTIC
    /begin TYPEDEF_STRUCTURE ts "ts" 0x40 ADDRESS_TYPE DIRECT CONSISTENT_EXCHANGE SYMBOL_TYPE_LINK "ts_t"
      /begin STRUCTURE_COMPONENT m tm 0 MATRIX_DIM 2 ADDRESS_TYPE DIRECT LAYOUT COLUMN_DIR SYMBOL_TYPE_LINK "m" /end STRUCTURE_COMPONENT
      /begin STRUCTURE_COMPONENT a tax 0x20 /end STRUCTURE_COMPONENT
      /begin STRUCTURE_COMPONENT b tblob 0x30 /end STRUCTURE_COMPONENT
    /end TYPEDEF_STRUCTURE
    /begin INSTANCE inst "instance" ts 0x6000 ECU_ADDRESS_EXTENSION 4 MATRIX_DIM 2 ADDRESS_TYPE DIRECT CALIBRATION_ACCESS CALIBRATION
      DISPLAY_IDENTIFIER i LAYOUT ROW_DIR MAX_REFRESH 0 1 MODEL_LINK "x" READ_WRITE SYMBOL_LINK "inst" 0
      /begin OVERWRITE a 0 CONVERSION lin /end OVERWRITE /begin ANNOTATION /end ANNOTATION
      /begin IF_DATA XCP /begin DAQ_EVENT VARIABLE /begin AVAILABLE_EVENT_LIST EVENT 1 EVENT 2 /end AVAILABLE_EVENT_LIST /end DAQ_EVENT /end IF_DATA
    /end INSTANCE
    /begin FRAME frm "frame" 1 2 FRAME_MEASUREMENT meas /end FRAME
    /begin TRANSFORMER tr "1.0" "a.dll" "" 10 ON_CHANGE NO_INVERSE_TRANSFORMER /begin TRANSFORMER_IN_OBJECTS meas /end TRANSFORMER_IN_OBJECTS /end TRANSFORMER
    /begin USER_RIGHTS calibration_engineers /begin REF_GROUP grp /end REF_GROUP READ_ONLY /end USER_RIGHTS
    /begin VARIANT_CODING VAR_SEPARATOR "." /begin VAR_CRITERION c "crit" A B /end VAR_CRITERION /end VARIANT_CODING
    /begin IF_DATA XCP /begin PROTOCOL_LAYER 0x104 1 2 3 4 5 6 7 8 8 BYTE_ORDER_MSB_LAST ADDRESS_GRANULARITY_BYTE /end PROTOCOL_LAYER /end IF_DATA
  /end MODULE
/end PROJECT
`

func TestEveryKeyword(t *testing.T) {
	f, err := a2l.ParseString("all.a2l", allKeywords, a2l.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := f.Modules[0]
	sp := func(v ...any) string { return strings.TrimSuffix(fmt.Sprintln(v...), "\n") }
	checks := []struct {
		what string
		got  any
		want string
	}{
		{"versions", []a2l.Version{f.ASAP2Version, f.A2MLVersion}, "[{1 71} {1 31}]"},
		{"header", f.Project.Header, "{header V1 P42}"},
		{"mod common", m.ModCommon, "{common MSB_FIRST {1 2 4 8 2 4 8} 16 ABSOLUTE}"},
		{"mod par", sp(m.ModPar.EPK, m.ModPar.AddrEPK, m.ModPar.SystemConstants, m.ModPar.Supplier, m.ModPar.NoOfInterfaces, len(m.ModPar.MemorySegments)), "epk [256 512] map[N:4] s 2 1"},
		{"segment", sp(m.ModPar.MemorySegments[0].Address, m.ModPar.MemorySegments[0].Size, len(m.ModPar.MemorySegments[0].IfData)), "4096 256 1"},
		{"meas", sp(m.Measurement("meas").Address, m.Measurement("meas").AddrExt, m.Measurement("meas").BitMask, *m.Measurement("meas").ByteOrder, m.Measurement("meas").ReadWrite, m.Measurement("meas").PhysUnit, len(m.Measurement("meas").IfData)), "4096 3 4294901760 MSB_LAST true V 2"},
		{"meas extra", m.Measurement("meas").More(), "{4 %8.2 meas_disp ROW_DIR sym [1 10] <nil> 0}"},
		{"cuboid", sp(m.Characteristic("cub").Type, len(m.Characteristic("cub").Axes), m.Characteristic("cub").ReadOnly, *m.Characteristic("cub").More().ExtLimits, m.Characteristic("cub").Number), "CUBOID 3 true {-20 20} 1"},
		{"axis descr", sp(m.Characteristic("cub").Axes[0].Deposit, m.Characteristic("cub").Axes[0].Monotony, m.Characteristic("cub").Axes[0].ExtLimits, m.Characteristic("cub").Axes[1].FixAxisPar.Points(), m.Characteristic("cub").Axes[2].CurveAxisRef), "DIFFERENCE STRICT_INCREASE {-200 200} [0 8 16 24] crv"},
		{"res axis", sp(m.Characteristic("crv").Axes[0].Attr, m.Characteristic("crv").Axes[0].AxisPtsRef), "RES_AXIS ax"},
		{"fix list", m.Characteristic("fixl").Axes[0].FixAxisList, "[1 4 9]"},
		{"axis pts", sp(m.AxisPtsByName("ax").DepositMode, m.AxisPtsByName("ax").AddrExt, m.AxisPtsByName("ax").MaxAxisPoints), "ABSOLUTE 1 8"},
		{"blob", sp(m.Blob("blb").Size, m.Blob("blb").AddrExt), "16 2"},
		{"compu", sp(m.CompuMethod("lin").Coeffs, m.CompuMethod("lin").RefUnit, m.CompuMethod("rat").Coeffs, m.CompuMethod("rat").StatusStringRef), "[2 1] volt [0 1 0 0 0 1] st"},
		{"compu tab", sp(m.CompuTab("t1").In, m.CompuTab("t1").Out, m.CompuTab("t1").Default, *m.CompuTab("t1").DefaultNumeric), "[0 10] [0 100] none -1"},
		{"vtab range", sp(m.CompuVTabRange("st").Min, m.CompuVTabRange("st").Max, m.CompuVTabRange("st").Out, m.CompuVTabRange("st").Default), "[0 1] [0 255] [ok error] ?"},
		{"units", sp(m.Unit("volt").SIExponents, m.Unit("mvolt").RefUnit, m.Unit("mvolt").ConvGradient), "[2 1 -3 -1 0 0 0] volt 0.001"},
		{"group", sp(m.Group("grp").Root, m.Group("grp").RefCharacteristic, m.Group("grp").RefMeasurement, m.Group("grp").SubGroups, m.Group("grp").FunctionList), "true [cub crv] [meas] [sub] [fn]"},
		{"function", sp(m.Function("fn").Version, m.Function("fn").DefCharacteristic, m.Function("fn").InMeasurement, m.Function("fn").OutMeasurement, m.Function("fn").LocMeasurement, m.Function("fn").SubFunctions), "1.0 [cub] [meas] [meas] [meas] [fn2]"},
		{"record layout", sp(m.RecordLayout("RL").Identification.Position, m.RecordLayout("RL").AxisPts[1].IndexMode, m.RecordLayout("RL").AxisPts[1].Addressing, m.RecordLayout("RL").FncValues.IndexMode, m.RecordLayout("RL").AxisRescale[0].MaxNum, m.RecordLayout("RL").FixNoAxisPts[3], m.RecordLayout("RL").RipAddrW.Position, m.RecordLayout("RL").Reserved, m.RecordLayout("RL").StaticLayout, m.RecordLayout("RL").Alignment.Word), "1 INDEX_DECR PWORD COLUMN_DIR 5 3 13 [{17 ULONG ?  0}] true 2"},
		{"typedef axis", sp(m.TypedefAxis("tax").Deposit, m.TypedefAxis("tax").MaxAxisPoints), "RL_AX 8"},
		{"typedef blob", m.TypedefBlob("tblob").Size, "32"},
		{"typedef meas", sp(m.TypedefMeasurement("tm").MatrixDim, m.TypedefMeasurement("tm").BitMask), "[2 3] 4080"},
		{"typedef char", sp(m.TypedefCharacteristic("tc").Number, m.TypedefCharacteristic("tc").BitMask), "1 1"},
		{"typedef struct", sp(m.TypedefStructure("ts").Size, len(m.TypedefStructure("ts").Components), m.TypedefStructure("ts").Component("m").MatrixDim, m.TypedefStructure("ts").Component("m").Layout), "64 3 [2] COLUMN_DIR"},
		{"instance", sp(m.Instance("inst").Address, m.Instance("inst").AddrExt, m.Instance("inst").MatrixDim, m.Instance("inst").ReadWrite), "24576 4 [2] true"},
		{"module if_data", sp(len(m.IfData), m.IfData[0].Name), "1 XCP"},
		{"a2ml", m.A2ML != "", "true"},
	}
	for _, c := range checks {
		if got := fmt.Sprint(c.got); got != c.want {
			t.Errorf("%s = %s, want %s", c.what, got, c.want)
		}
	}
	// Instance members: arrays of structures, matrix components, axes, blobs.
	for name, want := range map[string]string{
		"inst[1].m": "MEASUREMENT 24640 4 [2 2 3]",
		"inst[0].a": "AXIS_PTS 24608 4 []",
		"inst[1].b": "BLOB 24688 4 []",
	} {
		o, err := m.Resolve(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		c := o.Common()
		if got := fmt.Sprint(o.Kind, " ", c.Address, " ", c.AddrExt, " ", c.MatrixDim); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	if len(f.Warnings) != 0 {
		t.Errorf("warnings: %v", f.Warnings)
	}
}
