// Package record writes and reads goxcp recordings (.xlog files): the raw
// DTO packets of an XCP DAQ measurement (ASAM MCD-1 XCP 1.5, part 2,
// "data acquisition"), together with a self-describing header that holds
// the slave's properties and the DAQ list layout, so a recording can be
// decoded without the configuration that produced it.
//
// The file format is specified in docs/recording-format.md. In short: a
// file header with a versioned JSON metadata block, then a sequence of
// blocks, each with its own header (magic, record count, sizes, first and
// last host timestamp, CRC32-C of header and payload). Frame blocks hold
// LZ4-compressed frames; stats blocks hold the cumulative loss counters; a
// clean close appends an index block and a fixed trailer. Every block is
// written with one write call, so after a crash (kill -9, power loss of the
// page cache aside) a Reader recovers every complete block and reports the
// torn tail with its file offset.
//
// Writer is the recording side: Write copies a frame into a chunk buffer and
// never blocks on the disk; a goroutine of its own compresses and writes
// full chunks. Memory is bounded by a fixed number of chunk buffers; frames
// that arrive while all buffers wait for the disk are dropped and counted,
// and the count is recorded in the file and returned by Stats.
//
// Reader streams blocks and frames in bounded memory and verifies CRCs.
// Decoder turns frames into samples per DAQ list with host and slave
// timestamps and typed values (a goxcp/protocol/dto Decoder, the decoder
// live measurement uses). The header's Layout is the measured dto.Layout
// in the form the file stores (every value by ODT and DTO offset):
// LayoutOf derives it, Meta.DTOLayout turns it back. Measurements recorded from A2L signals carry their
// unit and conversion (Measurement.Conversion, a goxcp/a2l/compu.Spec), so
// physical values need no A2L (package record/convert writes them).
package record
