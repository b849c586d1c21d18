package xcp

import (
	"fmt"
	"strings"
)

// ParseResources parses a comma-separated list of resource names: cal
// (also pag, calpag, cal/pag), daq, stim, pgm, dbg, or all; case and
// blanks are ignored, an empty list is no resource.
func ParseResources(s string) (Resource, error) {
	var r Resource
	for _, name := range strings.Split(s, ",") {
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "":
		case "cal", "pag", "calpag", "cal/pag":
			r |= ResCalPag
		case "daq":
			r |= ResDaq
		case "stim":
			r |= ResStim
		case "pgm":
			r |= ResPgm
		case "dbg":
			r |= ResDbg
		case "all":
			r |= ResCalPag | ResDaq | ResStim | ResPgm | ResDbg
		default:
			return 0, fmt.Errorf("unknown resource %q (want cal, daq, stim, pgm, dbg or all)", name)
		}
	}
	return r, nil
}

// ParseChecksumType parses a BUILD_CHECKSUM type name as ChecksumType's
// String gives it (XCP_CRC_32), without the XCP_ prefix or in any case
// (crc_32).
func ParseChecksumType(s string) (ChecksumType, error) {
	want := strings.TrimPrefix(strings.ToUpper(s), "XCP_")
	var names []string
	for t := ChecksumAdd11; t <= ChecksumCRC32; t++ {
		n := t.String()
		names = append(names, n)
		if strings.TrimPrefix(n, "XCP_") == want {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown type %q (want one of %s)", s, strings.Join(names, ", "))
}
