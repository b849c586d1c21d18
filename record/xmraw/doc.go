// Package xmraw reads pyXCP recordings (.xmraw files, written by pyXCP's
// DaqRecorderPolicy) and decodes their DAQ samples exactly as pyXCP's own
// converters do, without pyXCP or its configuration: the file carries the
// DAQ list layout pyXCP used (byte order, identification field, timestamp
// size and scale, the ODTs with their entries).
//
// The container format, read here from pyXCP's public recorder sources
// (pyxcp/recorder, file version 0x0100) as a reference for facts: a 16-byte
// magic "ASAMINT::XCP_RAW", a 38-byte little-endian file header (header
// size, version, options, container count, frame count, compressed and
// uncompressed size), the serialized measurement parameters (when options
// has HAS_METADATA), then containers: a 12-byte header (frames, compressed
// and uncompressed size) followed by one LZ4 block holding the frames, each
// a 13-byte header (category, counter, host timestamp in ns, length) and
// the XCP packet.
//
// Reader streams frames one container at a time (bounded memory) and keeps
// going past damage: a container whose data is corrupt is skipped and
// listed by Damage; a file that ends early stops with an error wrapping
// ErrTruncated after everything before it. Decoder turns DAQ frames into
// samples with pyXCP's rules (timestamp0: host time of the sample's last
// ODT; timestamp1: the ECU timestamp times the scale factor, made monotonic
// across wrap-arounds; both relative to the list's first sample). Source
// connects both to record/convert, so every goxcp output format can be
// written from a pyXCP recording.
package xmraw
