// Package xcp is the protocol layer of goxcp: the ASAM MCD-1 XCP 1.5
// packet identifiers, command, error, event and service-request codes,
// the packet encoders and decoders, and the error-handling matrix as data.
//
// Nothing in this package does I/O. Encoders append to a caller-supplied
// buffer and decoders read from a byte slice, so the master (package
// goxcp/master) and the slave simulator (package goxcp/sim) share exactly
// one definition of the wire format.
//
// Multi-byte fields are encoded in the byte order the slave announced at
// CONNECT (see ByteOrder) and memory sizes are counted in the negotiated
// address granularity (see Granularity); both travel in a Format value.
//
// Slave errors are values: an ERR packet decodes to *Error, whose Code is an
// ErrorCode that itself implements error, so callers can write
//
//	if errors.Is(err, xcp.ErrAccessLocked) { ... }
//	var xe *xcp.Error
//	if errors.As(err, &xe) { log.Print(xe.Cmd, xe.Code) }
//
// The SW-DBG command space (ASAM "Software Debugging over XCP" 1.0) has its
// own wire package, goxcp/xcp/swdbg.
package xcp
