package xmraw

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/pierrec/lz4/v4"

	"github.com/goxcp/goxcp/protocol/dto"
)

// The tests build .xmraw files the way pyXCP lays them out (see the
// package doc), to cover what the reference recording does not: several
// ODTs and lists, absolute ODT numbers, big-endian slaves, wrap-arounds,
// damage.

func putStr(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func putObject(b []byte, e dto.Measurement) []byte {
	b = putStr(b, e.Name)
	b = binary.LittleEndian.AppendUint32(b, e.Address)
	b = append(b, e.Extension)
	b = binary.LittleEndian.AppendUint16(b, uint16(e.Type.Size()))
	b = putStr(b, strings.ToUpper(e.Type.String()))
	b = binary.LittleEndian.AppendUint16(b, 0)
	return binary.LittleEndian.AppendUint64(b, 0) // no components
}

// encodeParams serializes p like pyXCP's MeasurementParameters.dumps
// (without the length prefix).
func encodeParams(p *Params) []byte {
	var b []byte
	b = append(b, boolByte(p.BigEndian), byte(p.IDFieldSize), boolByte(p.TimestampsSupported), boolByte(p.TimestampFixed),
		boolByte(p.PrescalerSupported), boolByte(p.SelectableTimestamps))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(p.TimestampScale))
	b = append(b, byte(p.TimestampSize))
	b = binary.LittleEndian.AppendUint16(b, uint16(p.MinDAQ))
	b = binary.LittleEndian.AppendUint64(b, uint64(len(p.Lists)))
	b = binary.LittleEndian.AppendUint64(b, p.StartNS)
	b = putStr(b, p.TimeZone)
	b = binary.LittleEndian.AppendUint16(b, uint16(p.UTCOffset))
	b = binary.LittleEndian.AppendUint16(b, uint16(p.DSTOffset))
	b = binary.LittleEndian.AppendUint64(b, p.EventCycleNS)
	for _, l := range p.Lists {
		kind := byte(1)
		if l.Predefined {
			kind = 2
		}
		b = append(b, kind)
		b = putStr(b, l.Name)
		b = binary.LittleEndian.AppendUint16(b, l.Event)
		b = append(b, boolByte(l.Stim), boolByte(l.Timestamps), l.Priority, l.Prescaler, l.PackedMode, l.PackedTSMode)
		b = binary.LittleEndian.AppendUint16(b, l.PackedSamples)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(l.ODTs)))
		b = binary.LittleEndian.AppendUint16(b, uint16(l.Entries()))
		b = binary.LittleEndian.AppendUint16(b, 0)
		if !l.Predefined {
			b = binary.LittleEndian.AppendUint64(b, uint64(l.Entries()))
			for _, o := range l.ODTs {
				for _, e := range o {
					b = putObject(b, e)
				}
			}
		}
		b = binary.LittleEndian.AppendUint64(b, uint64(len(l.ODTs)))
		for _, o := range l.ODTs {
			b = binary.LittleEndian.AppendUint16(b, 0)
			b = binary.LittleEndian.AppendUint16(b, 0)
			b = binary.LittleEndian.AppendUint64(b, uint64(len(o)))
			for _, e := range o {
				b = putObject(b, e)
			}
		}
		b = binary.LittleEndian.AppendUint64(b, uint64(l.Entries()))
		for _, o := range l.ODTs {
			for _, e := range o {
				b = putStr(b, e.Name)
			}
		}
	}
	b = binary.LittleEndian.AppendUint64(b, uint64(len(p.FirstPIDs)))
	for _, f := range p.FirstPIDs {
		b = binary.LittleEndian.AppendUint16(b, f)
	}
	return b
}

// buildFile returns a complete .xmraw file with one container per element
// of containers.
func buildFile(t testing.TB, p *Params, containers [][]Frame) []byte {
	meta := encodeParams(p)
	var body []byte
	var frames, comp, raw uint64
	for _, c := range containers {
		var rb []byte
		for _, f := range c {
			rb = append(rb, f.Category)
			rb = binary.LittleEndian.AppendUint16(rb, f.Counter)
			rb = binary.LittleEndian.AppendUint64(rb, f.Timestamp)
			rb = binary.LittleEndian.AppendUint16(rb, uint16(len(f.Data)))
			rb = append(rb, f.Data...)
		}
		cb := make([]byte, lz4.CompressBlockBound(len(rb)))
		var hc lz4.CompressorHC
		n, err := hc.CompressBlock(rb, cb)
		if err != nil || n == 0 {
			t.Fatalf("lz4: %d, %v", n, err)
		}
		body = binary.LittleEndian.AppendUint32(body, uint32(len(c)))
		body = binary.LittleEndian.AppendUint32(body, uint32(n))
		body = binary.LittleEndian.AppendUint32(body, uint32(len(rb)))
		body = append(body, cb[:n]...)
		frames += uint64(len(c))
		comp += uint64(n)
		raw += uint64(len(rb))
	}
	b := []byte(Magic)
	b = binary.LittleEndian.AppendUint16(b, fileHeaderSize)
	b = binary.LittleEndian.AppendUint16(b, Version)
	b = binary.LittleEndian.AppendUint16(b, OptHasMetadata)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(containers)))
	b = binary.LittleEndian.AppendUint64(b, frames)
	b = binary.LittleEndian.AppendUint64(b, comp)
	b = binary.LittleEndian.AppendUint64(b, raw)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(meta)))
	b = append(b, meta...)
	return append(b, body...)
}
