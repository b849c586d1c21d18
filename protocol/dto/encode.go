package dto

import (
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// EncodeSample builds the DTOs a slave sends for one sample of list li:
// sample is the list's sample buffer (SampleSize bytes, the concatenated
// ODT payloads) and ts the raw timestamp for the first ODT. Each DTO is
// appended to buf and its bounds reported to out. It is the inverse of
// Decoder, for tests, benchmarks and synthetic recordings.
func (l *Layout) EncodeSample(buf []byte, li int, sample []byte, ts uint64, out func(p []byte)) ([]byte, error) {
	if li < 0 || li >= len(l.Lists) {
		return buf, fmt.Errorf("dto: no DAQ list #%d", li)
	}
	ll := &l.Lists[li]
	if len(sample) != ll.SampleSize() {
		return buf, fmt.Errorf("dto: DAQ list %q: sample of %d bytes, want %d", ll.Name, len(sample), ll.SampleSize())
	}
	f := xcp.Format{Order: l.Order}
	off := 0
	for o, odt := range ll.ODTs {
		start := len(buf)
		if l.IDField == xcp.IDAbsODT {
			buf = append(buf, ll.FirstPID+uint8(o))
		} else {
			buf = l.IDField.AppendDTOHeader(buf, f, uint8(o), ll.Number)
		}
		if o == 0 && ll.Timestamps && l.TimestampSize > 0 {
			switch l.TimestampSize {
			case 1:
				buf = append(buf, uint8(ts))
			case 2:
				buf = l.Order.AppendUint16(buf, uint16(ts))
			default:
				buf = l.Order.AppendUint32(buf, uint32(ts))
			}
		}
		n := odt.Size
		buf = append(buf, sample[off:off+n]...)
		off += n
		if out != nil {
			out(buf[start:])
		}
	}
	return buf, nil
}
