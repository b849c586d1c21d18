// Package mdf4 writes and reads ASAM MDF 4 measurement data files (.mf4),
// versions 4.00 to 4.20 (ASAM MDF 4.2.0, "Measurement Data Format"), the
// file format CANape, INCA, asammdf and MATLAB exchange recordings in.
//
// The codec is written from the standard's block structure: every block is
// a 24-byte header (identifier "##XX", length, link count), its links
// (absolute file offsets of other blocks) and its data section. The
// package knows the ID, HD, FH, TX, MD, DG, CG, CN, CC, SI, EV, DT, DZ, DL
// and HL blocks; see docs/mdf4.md for the layout goxcp writes.
//
// Writer streams records: one data group per Group (one channel group,
// sorted), records collected per group into data blocks that are written
// to the file when full (deflate-compressed DZ blocks, or transposed
// deflate with MDF 4.20), listed at Close by HL/DL blocks. The metadata
// blocks are written at Close, when the number of records is known; until
// then the file is marked unfinalised ("UnFinMF") so no reader takes a
// half-written file for a complete one. Memory is one data block per group
// (plus the list of block offsets), whatever the file's size.
//
// Reader (Open) reads the metadata tree into File and streams the records
// of a channel group from DT, DZ (deflate and transposed deflate), DL and
// HL blocks, sorted or unsorted (record IDs of 1, 2, 4 or 8 bytes), in
// bounded memory. Channel decodes a channel's raw value from a record
// (all integer and float data types of both byte orders, bit offsets and
// counts, invalidation bits) and Conversion applies a CC block (identity,
// linear, rational, algebraic, value tables with and without
// interpolation, value range to value, value and range to text). A block
// or feature the reader does not know gives an *Error naming the block
// and its file offset; a damaged file never makes it panic.
package mdf4
