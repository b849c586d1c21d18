// Package a2linfo tells what an A2L file (ASAM MCD-2 MC, ASAP2 1.5-1.71)
// describes and whether goxcp can use all of it: List summarises the
// objects of a module (kind, type, address, size, unit, or the problem that
// makes one unusable), Describe gives one object in full (conversion,
// limits, layout, byte order, access, DAQ events, axes, position), and
// Check checks a whole file — strict parse, IF_DATA XCP, every conversion
// and object layout — listing every problem with file:line:column. It is
// what `xcp a2l list`, `show` and `check` print.
package a2linfo
