// Package swdbg is the wire format of ASAM MCD-1 XCP "Software Debugging
// over XCP" (SW-DBG) 1.0.0: the twenty DBG_* commands of the level-1
// command space 0xC0 0xFC, their responses, the EV_DBG events, the ERR_DBG
// error codes with their extra data, the JTAG Programming Language (JPL,
// appendix A) with an IEEE 1149.1 TAP-state navigator, Low Level Telegrams
// (LLT, appendix B) and the Target Resource Identifiers (TRI, appendix C).
//
// Like package goxcp/xcp it does no I/O. Every packet type T follows the
// xcp pattern:
//
//	func (T) Append(b []byte, f xcp.Format) []byte
//	func (*T) Decode(p []byte, f xcp.Format) error
//
// Multi-byte fields are encoded in f.Order; reserved bytes are written as
// zero. Memory data (the ELEMENTs of DBG_READ, DBG_WRITE …) is carried as
// the raw packet bytes, N×EW of them, so the bytes of a target whose
// endianness matches the XCP byte order are the memory bytes.
//
// The sizes of SW-DBG packets are bounded by MAX_CTO_DBG from the
// DBG_ATTACH response, not by the base MAX_CTO; see the Max* functions.
package swdbg
