// Package a2l reads ASAM MCD-2 MC (ASAP2, versions 1.5 to 1.71) ECU
// description files: a hand-written lexer (Lexer) and a recursive-descent
// parser that builds a typed model (File, Module, Measurement,
// Characteristic, CompuMethod, RecordLayout, TYPEDEF_* and INSTANCE, ...).
//
// The package is about syntax and structure only. Meaning lives in
// sub-packages: goxcp/compu/formula evaluates FORM formulas, goxcp/a2l/conv
// converts raw values to physical ones, goxcp/a2l/values reads and writes
// objects (scalars, arrays, curves and maps with their axes) as bytes, and
// goxcp/a2l/ifxcp decodes IF_DATA XCP into protocol and transport settings.
//
// Parsing is strict by default: the first problem is returned as a
// *Problem naming file:line:column and what was expected. With
// Options.Lenient the parser returns everything it could parse and lists
// the problems in File.Problems. /include directives are followed relative
// to the including file; A2ML blocks are kept as raw text and IF_DATA
// blocks as raw text decoded on demand (IfData.Parse).
//
// Every object is found by name in O(1) (Module.Measurement,
// Module.Characteristic, ...); Module.Resolve also follows INSTANCEs of
// TYPEDEF_STRUCTUREs ("inst.field[3].x") to a synthesised object with its
// computed address.
package a2l
