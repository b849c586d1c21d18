package a2l

// DataType is an ASAP2 data type (MEASUREMENT datatype, RECORD_LAYOUT
// element types).
type DataType uint8

// Data types.
const (
	UByte DataType = iota + 1
	SByte
	UWord
	SWord
	ULong
	SLong
	UInt64
	Int64
	Float16
	Float32
	Float64
)

var dataTypeNames = [...]string{"", "UBYTE", "SBYTE", "UWORD", "SWORD", "ULONG", "SLONG", "A_UINT64", "A_INT64", "FLOAT16_IEEE", "FLOAT32_IEEE", "FLOAT64_IEEE"}

// ParseDataType returns the DataType for an A2L keyword.
func ParseDataType(s string) (DataType, bool) {
	switch s {
	case "UBYTE":
		return UByte, true
	case "SBYTE":
		return SByte, true
	case "UWORD":
		return UWord, true
	case "SWORD":
		return SWord, true
	case "ULONG":
		return ULong, true
	case "SLONG":
		return SLong, true
	case "A_UINT64":
		return UInt64, true
	case "A_INT64":
		return Int64, true
	case "FLOAT16_IEEE":
		return Float16, true
	case "FLOAT32_IEEE":
		return Float32, true
	case "FLOAT64_IEEE":
		return Float64, true
	}
	return 0, false
}

// String returns the DataType's name as the specification spells it.
func (t DataType) String() string {
	if int(t) < len(dataTypeNames) && t != 0 {
		return dataTypeNames[t]
	}
	return "?"
}

// Size returns the size in bytes (0 for an invalid type).
func (t DataType) Size() int {
	switch t {
	case UByte, SByte:
		return 1
	case UWord, SWord, Float16:
		return 2
	case ULong, SLong, Float32:
		return 4
	case UInt64, Int64, Float64:
		return 8
	}
	return 0
}

// Signed reports whether t is a signed integer type.
func (t DataType) Signed() bool { return t == SByte || t == SWord || t == SLong || t == Int64 }

// Float reports whether t is a floating-point type.
func (t DataType) Float() bool { return t == Float16 || t == Float32 || t == Float64 }

// Alignment returns the alignment in bytes for t from a, defaulting to 1.
func (a Alignment) For(t DataType) int {
	var v int
	switch t {
	case UByte, SByte:
		v = a.Byte
	case UWord, SWord:
		v = a.Word
	case ULong, SLong:
		v = a.Long
	case UInt64, Int64:
		v = a.Int64
	case Float16:
		v = a.Float16
	case Float32:
		v = a.Float32
	case Float64:
		v = a.Float64
	}
	if v <= 0 {
		return 1
	}
	return v
}
