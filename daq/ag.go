package daq

import (
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// checkAG checks that DTOs of a WORD or DWORD slave keep their data
// aligned to address granularity elements: the identification field, and
// the timestamp of lists that have one, must be whole elements. goxcp
// neither sends nor expects fill bytes between them and the data; a slave
// with a larger AG chooses an identification field that is (for example
// IDF_REL_ODT_ABS_DAQ_WORD_ALIGNED, 4 bytes). ODT entries themselves are
// whole elements at aligned addresses (LimitsFromInfo).
func checkAG(f xcp.Format, info *Info, lists []List) error {
	ag := f.AG.Size()
	if ag <= 1 {
		return nil
	}
	idf := info.Processor.Key.IDField()
	if n := idf.Len(); n%ag != 0 {
		return fmt.Errorf("daq: the slave's address granularity is %s but its identification field %s has %d bytes: DTO data would not be aligned to %d-byte elements", f.AG, idf, n, ag)
	}
	ts := info.Resolution.TimestampMode.Size()
	for _, l := range lists {
		if l.Timestamps && ts%ag != 0 {
			return fmt.Errorf("daq: DAQ list %q: the slave's address granularity is %s but its timestamps have %d bytes: DTO data would not be aligned to %d-byte elements (measure without timestamps)", l.Name, f.AG, ts, ag)
		}
	}
	if g := int(info.Resolution.GranularityDaq); g > 0 && g < ag {
		return fmt.Errorf("daq: the slave's ODT entry granularity %d is finer than its address granularity %s", g, f.AG)
	}
	return nil
}
