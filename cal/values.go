// Package cal reads and writes ASAM MCD-2 MC (ASAP2) objects in ECU
// memory as physical values: scalars, arrays (MATRIX_DIM), ASCII strings,
// bit-masked values, and curves, maps and cuboids with their axes laid out
// as their RECORD_LAYOUT says (FNC_VALUES, AXIS_PTS_x, NO_AXIS_PTS_x,
// FIX_NO_AXIS_PTS_x, positions, ROW_DIR/COLUMN_DIR, ALTERNATE_WITH_X/Y,
// ALTERNATE_CURVES, alignment), with STD_AXIS, FIX_AXIS, COM_AXIS,
// CURVE_AXIS and RES_AXIS axes (AXIS_PTS of rescale pairs, AXIS_RESCALE_X),
// and records that point to their values or axis points (PBYTE, PWORD,
// PLONG, PLONGLONG addressing: read and written through the pointer).
//
// Memory is reached through the small Memory interface, so the same code
// serves a live XCP connection and tests.
package cal

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/goxcp/goxcp/a2l"
	"github.com/goxcp/goxcp/compu"
)

// Memory reads and writes ECU memory. Implementations decide how (e.g.
// SHORT_UPLOAD/UPLOAD and DOWNLOAD over XCP: a connected *master.Master is
// a Memory); ctx bounds each access.
type Memory interface {
	Read(ctx context.Context, addr uint32, ext uint8, n int) ([]byte, error)
	Write(ctx context.Context, addr uint32, ext uint8, data []byte) error
}

// Value is an object's content in raw and physical form.
type Value struct {
	Name   string     `json:"name"`
	Kind   string     `json:"kind"` // MEASUREMENT, VALUE, VAL_BLK, ASCII, CURVE, MAP, ..., AXIS_PTS
	Unit   string     `json:"unit,omitempty"`
	Dims   []int      `json:"dims,omitempty"` // nil for a scalar; curves/maps: axis point counts (x fastest... see Index)
	Raw    []float64  `json:"raw,omitempty"`
	Phys   []float64  `json:"phys,omitempty"`
	Text   []string   `json:"text,omitempty"`   // verbal (TAB_VERB) values
	String *string    `json:"string,omitempty"` // ASCII characteristics
	Axes   []*Axis    `json:"axes,omitempty"`
	Limits a2l.Limits `json:"limits"`
	Format string     `json:"-"`
	bits   int        // 32 for FLOAT32_IEEE values
	conv   *compu.Conv
}

// Axis holds the points of one axis of a curve or map.
type Axis struct {
	Attr  string    `json:"attr"`
	Input string    `json:"input,omitempty"`
	Unit  string    `json:"unit,omitempty"`
	Raw   []float64 `json:"raw"`
	Phys  []float64 `json:"phys"`
	Text  []string  `json:"text,omitempty"`
}

// Index returns the flat index of the function value at axis indexes idx
// (x first). Values of curves, maps and VAL_BLKs are stored with the x
// index running fastest.
func (v *Value) Index(idx ...int) int {
	k, stride := 0, 1
	for i, n := range v.Dims {
		if i < len(idx) {
			k += idx[i] * stride
		}
		stride *= n
	}
	return k
}

// Strings renders the physical values as text (verbal text, or numbers in
// the COMPU_METHOD format).
func (v *Value) Strings() []string {
	if v.String != nil {
		return []string{*v.String}
	}
	if v.Text != nil {
		return v.Text
	}
	out := make([]string, len(v.Phys))
	for i, p := range v.Phys {
		out[i] = compu.FormatValueBits(p, v.Format, v.bits)
	}
	return out
}

// Options control writing.
type Options struct {
	// ExtendedLimits allows values up to EXTENDED_LIMITS instead of the
	// LOWER/UPPER limits.
	ExtendedLimits bool
	// NoVerify skips reading the memory back after writing.
	NoVerify bool
}

// ErrLimit is returned (wrapped) when a value is outside its limits.
var ErrLimit = errors.New("value out of range")

// ErrReadOnly is returned (wrapped) for writes to read-only objects.
var ErrReadOnly = errors.New("object is read-only")

// Read reads the object name and converts it to physical values.
func Read(ctx context.Context, m *a2l.Module, mem Memory, name string) (*Value, error) {
	d, err := Describe(m, name)
	if err != nil {
		return nil, err
	}
	return d.Read(ctx, mem)
}

// Write converts input (physical values as text) and writes them to the
// object name, then reads them back to verify. For scalars input is one
// value (a verbal text for TAB_VERB); for arrays, curves and maps a list
// of values separated by commas or blanks, optionally in brackets; for
// ASCII the string. It returns the value read back.
func Write(ctx context.Context, m *a2l.Module, mem Memory, name, input string, opt Options) (*Value, error) {
	d, err := Describe(m, name)
	if err != nil {
		return nil, err
	}
	return d.Write(ctx, mem, Input{Values: SplitList(input, d.Kind() == "ASCII")}, opt)
}

// Input is what to write: the function values and, optionally, new axis
// points (Axes[i] for axis i, nil to keep).
type Input struct {
	Values []string
	Axes   [][]string
}

// SplitList splits "1, 2 3" or "[1,2,3]" into items; with whole it
// returns the input as one item (for ASCII strings).
func SplitList(s string, whole bool) []string {
	if whole {
		return []string{s}
	}
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "[")
	s = strings.TrimSuffix(s, "]")
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == ';' || r == '[' || r == ']' })
	return f
}

// rawRange returns the representable raw range of t.
func rawRange(t a2l.DataType) (lo, hi float64) {
	switch t {
	case a2l.UByte:
		return 0, 255
	case a2l.SByte:
		return -128, 127
	case a2l.UWord:
		return 0, 65535
	case a2l.SWord:
		return -32768, 32767
	case a2l.ULong:
		return 0, 4294967295
	case a2l.SLong:
		return -2147483648, 2147483647
	case a2l.UInt64:
		return 0, 18446744073709551615
	case a2l.Int64:
		return -9223372036854775808, 9223372036854775807
	case a2l.Float16:
		return -65504, 65504
	case a2l.Float32:
		return -3.4028234663852886e38, 3.4028234663852886e38
	}
	return -1.7976931348623157e308, 1.7976931348623157e308
}

func fmtRange(l a2l.Limits) string {
	return "[" + strconv.FormatFloat(l.Lower, 'g', -1, 64) + ", " + strconv.FormatFloat(l.Upper, 'g', -1, 64) + "]"
}

func errorf(name, format string, args ...any) error {
	return fmt.Errorf("values: %s: "+format, append([]any{name}, args...)...)
}
