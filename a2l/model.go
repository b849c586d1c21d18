package a2l

import "fmt"

// Pos is a position in an A2L source file.
type Pos struct {
	File string
	Line int32
	Col  int32
	off  int32 // byte offset, to compare repeated definitions
}

// String formats the Pos for messages.
func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// File is a parsed A2L description: the project with its modules.
type File struct {
	ASAP2Version Version // from ASAP2_VERSION (zero if absent)
	A2MLVersion  Version // from A2ML_VERSION (zero if absent)
	Project      Project
	Modules      []*Module
	// Problems lists what lenient parsing had to skip (always empty in
	// strict mode, where the first problem is returned as the error).
	Problems []*Problem
	// Warnings lists harmless irregularities that do not fail strict
	// parsing, such as a definition repeated with identical text (XCPlite
	// writes those).
	Warnings []*Problem
}

// Version is a major.minor version such as ASAP2_VERSION 1 71.
type Version struct{ Major, Minor int }

// Project is the PROJECT block.
type Project struct {
	Name, LongID string
	Header       Header
}

// Header is the HEADER block.
type Header struct {
	Comment, Version, ProjectNo string
}

// Module is a MODULE: one ECU description. All lookups by name are O(1).
type Module struct {
	Name, LongID string
	Pos          Pos
	A2ML         string // raw content of the A2ML block (kept, not interpreted)

	ModCommon ModCommon
	ModPar    ModPar

	Measurements           []*Measurement
	Characteristics        []*Characteristic
	AxisPts                []*AxisPts
	Blobs                  []*Blob
	CompuMethods           []*CompuMethod
	CompuTabs              []*CompuTab
	CompuVTabs             []*CompuVTab
	CompuVTabRanges        []*CompuVTabRange
	Units                  []*Unit
	Groups                 []*Group
	Functions              []*Function
	RecordLayouts          []*RecordLayout
	TypedefMeasurements    []*TypedefMeasurement
	TypedefCharacteristics []*TypedefCharacteristic
	TypedefAxes            []*TypedefAxis
	TypedefStructures      []*TypedefStructure
	TypedefBlobs           []*TypedefBlob
	Instances              []*Instance
	IfData                 []*IfData

	idx index
}

type index struct {
	built     bool // the maps buildIndex makes are built
	meas      map[string]*Measurement
	chars     map[string]*Characteristic
	axisPts   map[string]*AxisPts
	blobs     map[string]*Blob
	compu     map[string]*CompuMethod
	tabs      map[string]*CompuTab
	vtabs     map[string]*CompuVTab
	vranges   map[string]*CompuVTabRange
	units     map[string]*Unit
	groups    map[string]*Group
	funcs     map[string]*Function
	layouts   map[string]*RecordLayout
	tdMeas    map[string]*TypedefMeasurement
	tdChars   map[string]*TypedefCharacteristic
	tdAxes    map[string]*TypedefAxis
	tdStructs map[string]*TypedefStructure
	tdBlobs   map[string]*TypedefBlob
	instances map[string]*Instance
}

// ModCommon is MOD_COMMON: defaults for byte order and alignment.
type ModCommon struct {
	Comment   string
	ByteOrder ByteOrder // MSB_LAST (Intel) unless given
	Alignment Alignment
	DataSize  int    // DATA_SIZE (0 if absent)
	Deposit   string // DEPOSIT ABSOLUTE/DIFFERENCE ("" if absent)
}

// Alignment holds the ALIGNMENT_* values in bytes (0 = not given, which
// callers treat as 1).
type Alignment struct {
	Byte, Word, Long, Int64, Float16, Float32, Float64 int
}

// ModPar is MOD_PAR: management data and memory segments.
type ModPar struct {
	Comment         string
	EPK             string
	AddrEPK         []uint32
	Version         string
	Supplier        string
	Customer        string
	CustomerNo      string
	User            string
	PhoneNo         string
	ECU             string
	CPUType         string
	NoOfInterfaces  int
	SystemConstants map[string]string
	MemorySegments  []*MemorySegment
}

// MemorySegment is a MEMORY_SEGMENT of MOD_PAR.
type MemorySegment struct {
	Name, LongID string
	Pos          Pos
	PrgType      string // CODE, DATA, OFFLINE_DATA, VARIABLES, ...
	MemoryType   string // EEPROM, FLASH, RAM, ...
	Attribute    string // INTERN / EXTERN
	Address      uint32
	Size         uint32
	Offsets      [5]int64
	IfData       []*IfData
}

// ByteOrder is an A2L BYTE_ORDER. MSB_LAST (little endian) is the zero value.
type ByteOrder uint8

// Byte orders. LITTLE_ENDIAN/BIG_ENDIAN (deprecated synonyms, with inverted
// meaning in the standard's text) map as real tools use them.
const (
	MSBLast         ByteOrder = iota // Intel, little endian
	MSBFirst                         // Motorola, big endian
	MSBFirstMSWLast                  // ASAP2 1.70: big endian within 16-bit words, words in reverse order
	MSBLastMSWFirst                  // ASAP2 1.70: little endian within 16-bit words, words in reverse order
)

// String returns the ByteOrder's name as the specification spells it.
func (b ByteOrder) String() string {
	switch b {
	case MSBFirst:
		return "MSB_FIRST"
	case MSBFirstMSWLast:
		return "MSB_FIRST_MSW_LAST"
	case MSBLastMSWFirst:
		return "MSB_LAST_MSW_FIRST"
	}
	return "MSB_LAST"
}

// Limits is a lower/upper pair.
type Limits struct {
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
}

// Measurement is a MEASUREMENT (or a measurement created by resolving an
// INSTANCE component).
type Measurement struct {
	Name, LongID string
	Pos          Pos
	DataType     DataType
	Conversion   string // COMPU_METHOD name or NO_COMPU_METHOD
	Resolution   int
	Accuracy     float64
	Limits       Limits
	Common
}

// Common holds the optional attributes shared by objects that live in ECU
// memory. Rarely used ones are in Extra (nil when none was given) to keep
// the model small for files with hundreds of thousands of objects.
type Common struct {
	Address    uint32
	AddrExt    int16 // ECU_ADDRESS_EXTENSION (ASAP2: signed 16 bits; XCP and CCP carry one byte)
	HasAddress bool  // ECU_ADDRESS given (MEASUREMENT)
	HasBitMask bool
	ReadWrite  bool // READ_WRITE (MEASUREMENT)
	ReadOnly   bool // READ_ONLY (CHARACTERISTIC)
	Discrete   bool
	MatrixDim  []int // MATRIX_DIM (nil = none)
	BitMask    uint64
	ByteOrder  *ByteOrder // nil = MOD_COMMON default
	PhysUnit   string
	IfData     []*IfData
	Extra      *Extra
}

// Extra holds the less common optional attributes of an object.
type Extra struct {
	ArraySize  int    // ARRAY_SIZE (0 = none)
	Format     string // FORMAT
	Display    string // DISPLAY_IDENTIFIER
	Layout     string // LAYOUT ROW_DIR / COLUMN_DIR
	SymbolLink string
	MaxRefresh [2]int64
	ExtLimits  *Limits // EXTENDED_LIMITS
	StepSize   float64
}

// More returns a copy of the less common attributes (a zero Extra if
// none were given).
func (c *Common) More() Extra {
	if c.Extra == nil {
		return Extra{}
	}
	return *c.Extra
}

func (c *Common) extra() *Extra {
	if c.Extra == nil {
		c.Extra = &Extra{}
	}
	return c.Extra
}

// CharType is the type of a CHARACTERISTIC.
type CharType uint8

// Characteristic types.
const (
	Value CharType = iota + 1
	ValBlk
	ASCII
	Curve
	Map
	Cuboid
	Cube4
	Cube5
)

var charTypeNames = map[string]CharType{"VALUE": Value, "VAL_BLK": ValBlk, "ASCII": ASCII, "CURVE": Curve, "MAP": Map, "CUBOID": Cuboid, "CUBE_4": Cube4, "CUBE_5": Cube5}

// String returns the CharType's name as the specification spells it.
func (t CharType) String() string {
	for k, v := range charTypeNames {
		if v == t {
			return k
		}
	}
	return "?"
}

// Axes returns the number of axes the type requires.
func (t CharType) Axes() int {
	switch t {
	case Curve:
		return 1
	case Map:
		return 2
	case Cuboid:
		return 3
	case Cube4:
		return 4
	case Cube5:
		return 5
	}
	return 0
}

// Characteristic is a CHARACTERISTIC (or one created from an INSTANCE).
type Characteristic struct {
	Name, LongID string
	Pos          Pos
	Type         CharType
	Deposit      string // RECORD_LAYOUT name
	MaxDiff      float64
	Conversion   string
	Limits       Limits
	Number       int // NUMBER (ASCII length, VAL_BLK count in old files)
	Axes         []*AxisDescr
	Common
}

// AxisAttr is the attribute of an AXIS_DESCR.
type AxisAttr uint8

// Axis attributes.
const (
	StdAxis AxisAttr = iota + 1
	FixAxis
	ComAxis
	ResAxis
	CurveAxis
)

var axisAttrNames = map[string]AxisAttr{"STD_AXIS": StdAxis, "FIX_AXIS": FixAxis, "COM_AXIS": ComAxis, "RES_AXIS": ResAxis, "CURVE_AXIS": CurveAxis}

// String returns the AxisAttr's name as the specification spells it.
func (a AxisAttr) String() string {
	for k, v := range axisAttrNames {
		if v == a {
			return k
		}
	}
	return "?"
}

// AxisDescr is an AXIS_DESCR of a CURVE/MAP/... characteristic.
type AxisDescr struct {
	Pos           Pos
	Attr          AxisAttr
	InputQuantity string
	Conversion    string
	MaxAxisPoints int
	Limits        Limits
	AxisPtsRef    string // COM_AXIS / RES_AXIS
	CurveAxisRef  string // CURVE_AXIS
	FixAxisPar    *FixAxisPar
	FixAxisList   []float64 // FIX_AXIS_PAR_LIST
	Deposit       string    // DEPOSIT ABSOLUTE / DIFFERENCE
	ByteOrder     *ByteOrder
	PhysUnit      string
	Format        string
	HasExtLimits  bool
	ExtLimits     Limits
	Monotony      string

	attrPos, refPos Pos // of the attribute and of AXIS_PTS_REF / CURVE_AXIS_REF, for messages
}

// FixAxisPar is FIX_AXIS_PAR (Dist false: offset, shift 2^n) or
// FIX_AXIS_PAR_DIST (Dist true: offset, distance).
type FixAxisPar struct {
	Dist    bool
	Offset  float64
	Step    float64 // shift exponent (FIX_AXIS_PAR) or distance
	Numbers int
}

// Points returns the axis points of a fixed axis.
func (f *FixAxisPar) Points() []float64 {
	step := f.Step
	if !f.Dist {
		step = float64(int64(1) << uint(f.Step))
	}
	p := make([]float64, f.Numbers)
	for i := range p {
		p[i] = f.Offset + float64(i)*step
	}
	return p
}

// AxisPts is an AXIS_PTS object (a common axis).
type AxisPts struct {
	Name, LongID  string
	Pos           Pos
	InputQuantity string
	Deposit       string // RECORD_LAYOUT
	MaxDiff       float64
	Conversion    string
	MaxAxisPoints int
	Limits        Limits
	DepositMode   string // DEPOSIT ABSOLUTE / DIFFERENCE
	Common
}

// Blob is a BLOB object.
type Blob struct {
	Name, LongID string
	Pos          Pos
	Size         uint32
	Common
}

// ConvType is a COMPU_METHOD conversion type.
type ConvType uint8

// Conversion types.
const (
	Identical ConvType = iota + 1
	Linear
	RatFunc
	TabIntp
	TabNoIntp
	TabVerb
	Form
)

var convTypeNames = map[string]ConvType{"IDENTICAL": Identical, "LINEAR": Linear, "RAT_FUNC": RatFunc, "TAB_INTP": TabIntp, "TAB_NOINTP": TabNoIntp, "TAB_VERB": TabVerb, "FORM": Form}

// String returns the ConvType's name as the specification spells it.
func (c ConvType) String() string {
	for k, v := range convTypeNames {
		if v == c {
			return k
		}
	}
	return "?"
}

// CompuMethod is a COMPU_METHOD.
type CompuMethod struct {
	Name, LongID    string
	Pos             Pos
	Type            ConvType
	Format          string
	Unit            string
	Coeffs          []float64 // the coefficients of Type: COEFFS a..f (RAT_FUNC) or COEFFS_LINEAR a b (LINEAR)
	CompuTabRef     string
	Formula         string
	FormulaInv      string
	RefUnit         string
	StatusStringRef string

	tabRefPos Pos // of COMPU_TAB_REF, for messages
}

// CompuTab is a COMPU_TAB (numeric table).
type CompuTab struct {
	Name, LongID   string
	Pos            Pos
	Type           ConvType
	In, Out        []float64
	Default        string
	DefaultNumeric *float64
}

// CompuVTab is a COMPU_VTAB (verbal table).
type CompuVTab struct {
	Name, LongID string
	Pos          Pos
	In           []float64
	Out          []string
	Default      string
}

// CompuVTabRange is a COMPU_VTAB_RANGE (verbal table over ranges).
type CompuVTabRange struct {
	Name, LongID string
	Pos          Pos
	Min, Max     []float64
	Out          []string
	Default      string
}

// Unit is a UNIT.
type Unit struct {
	Name, LongID string
	Pos          Pos
	Display      string
	Type         string // DERIVED / EXTENDED_SI
	RefUnit      string
	SIExponents  []int
	ConvGradient float64
	ConvOffset   float64
}

// Group is a GROUP.
type Group struct {
	Name, LongID      string
	Pos               Pos
	Root              bool
	RefCharacteristic []string
	RefMeasurement    []string
	SubGroups         []string
	FunctionList      []string
}

// Function is a FUNCTION.
type Function struct {
	Name, LongID      string
	Pos               Pos
	Version           string
	DefCharacteristic []string
	RefCharacteristic []string
	InMeasurement     []string
	OutMeasurement    []string
	LocMeasurement    []string
	SubFunctions      []string
}

// IndexMode is the order of values in a map (ROW_DIR / COLUMN_DIR) or
// axis (INDEX_INCR / INDEX_DECR).
type IndexMode uint8

// Index modes.
const (
	RowDir IndexMode = iota + 1
	ColumnDir
	AlternateCurves
	AlternateWithX
	AlternateWithY
	IndexIncr
	IndexDecr
)

var indexModeNames = map[string]IndexMode{"ROW_DIR": RowDir, "COLUMN_DIR": ColumnDir, "ALTERNATE_CURVES": AlternateCurves, "ALTERNATE_WITH_X": AlternateWithX, "ALTERNATE_WITH_Y": AlternateWithY, "INDEX_INCR": IndexIncr, "INDEX_DECR": IndexDecr}

// String returns the IndexMode's name as the specification spells it.
func (m IndexMode) String() string {
	for k, v := range indexModeNames {
		if v == m {
			return k
		}
	}
	return "?"
}

// LayoutItem is one positioned element of a RECORD_LAYOUT.
type LayoutItem struct {
	Position   int
	DataType   DataType
	IndexMode  IndexMode // FNC_VALUES, AXIS_PTS_*
	Addressing string    // DIRECT / PBYTE / PWORD / PLONG / PLONGLONG
	MaxNum     int       // AXIS_RESCALE_*
}

// RecordLayout is a RECORD_LAYOUT. Axis-indexed slices use index 0..4 for
// X, Y, Z, 4, 5.
type RecordLayout struct {
	Name           string
	Pos            Pos
	FncValues      *LayoutItem
	Identification *LayoutItem
	AxisPts        [5]*LayoutItem
	NoAxisPts      [5]*LayoutItem
	FixNoAxisPts   [5]int // 0 = not given
	AxisRescale    [5]*LayoutItem
	NoRescale      [5]*LayoutItem
	SrcAddr        [5]*LayoutItem
	RipAddr        [5]*LayoutItem
	RipAddrW       *LayoutItem
	ShiftOp        [5]*LayoutItem
	Offset         [5]*LayoutItem
	DistOp         [5]*LayoutItem
	Reserved       []LayoutItem // DataType holds the size type (UBYTE/UWORD/ULONG/A_UINT64)
	Alignment      Alignment
	StaticLayout   bool
	StaticOffsets  bool
}

// TypedefMeasurement is a TYPEDEF_MEASUREMENT (ASAP2 1.7).
type TypedefMeasurement struct {
	Name, LongID string
	Pos          Pos
	DataType     DataType
	Conversion   string
	Resolution   int
	Accuracy     float64
	Limits       Limits
	Common
}

// TypedefCharacteristic is a TYPEDEF_CHARACTERISTIC.
type TypedefCharacteristic struct {
	Name, LongID string
	Pos          Pos
	Type         CharType
	Deposit      string
	MaxDiff      float64
	Conversion   string
	Limits       Limits
	Number       int
	Axes         []*AxisDescr
	Common
}

// TypedefAxis is a TYPEDEF_AXIS.
type TypedefAxis struct {
	Name, LongID  string
	Pos           Pos
	InputQuantity string
	Deposit       string
	MaxDiff       float64
	Conversion    string
	MaxAxisPoints int
	Limits        Limits
	Common
}

// TypedefBlob is a TYPEDEF_BLOB.
type TypedefBlob struct {
	Name, LongID string
	Pos          Pos
	Size         uint32
}

// TypedefStructure is a TYPEDEF_STRUCTURE.
type TypedefStructure struct {
	Name, LongID string
	Pos          Pos
	Size         uint32
	Components   []*StructureComponent
	byName       map[string]*StructureComponent
}

// Component returns the component with the given name, or nil.
func (t *TypedefStructure) Component(name string) *StructureComponent {
	return t.byName[name]
}

// StructureComponent is a STRUCTURE_COMPONENT of a TYPEDEF_STRUCTURE.
type StructureComponent struct {
	Name      string
	Pos       Pos
	Typedef   string
	Offset    uint32
	MatrixDim []int
	Layout    string
}

// Instance is an INSTANCE of a typedef (ASAP2 1.7).
type Instance struct {
	Name, LongID string
	Pos          Pos
	Typedef      string
	Common
}
