// Package pyxcp converts pyXCP configurations into goxcp settings (the
// TOML that package config loads), the Go counterpart of pyXCP's
// `xcp-profile convert`.
//
// Two pyXCP formats are read, both as data — nothing in them is ever
// executed:
//
//   - legacy TOML or JSON files ([XCP], [ETH], [CAN], [SXI], [USB]
//     sections or flat keys like TRANSPORT, HOST, CAN_ID_MASTER), see
//     [ConvertLegacy];
//   - traitlets Python files made of assignments such as
//     `c.Transport.Eth.host = "localhost"`, see [ConvertPy].
//
// Every setting without a goxcp equivalent and every line that is not
// understood becomes a [Problem] with its line number; the rendered TOML
// ([Conversion.TOML]) lists them as comments and always loads with
// config.Parse.
package pyxcp

import (
	"path/filepath"
	"strings"
)

// Options adjust a conversion.
type Options struct {
	// KeepCANIDs copies legacy CAN_ID_MASTER/CAN_ID_SLAVE unchanged
	// instead of swapping them as pyXCP's own converter does (pyXCP issue
	// #130). It has no effect on traitlets files.
	KeepCANIDs bool
}

// Convert converts the pyXCP configuration data read from the file name:
// a traitlets file when name ends in .py (any case), else a legacy TOML or
// JSON file.
func Convert(name string, data []byte, opts Options) (*Conversion, error) {
	if strings.EqualFold(filepath.Ext(name), ".py") {
		return ConvertPy(name, data)
	}
	return ConvertLegacy(name, data, opts.KeepCANIDs)
}
