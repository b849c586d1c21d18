// Package procmem reads the memory figures of the running process for
// the bench programs.
package procmem

import (
	"os"
	"strconv"
	"strings"
)

// RSS returns the resident set size of the process in bytes, read from
// /proc/self/status (0 where that is unavailable).
func RSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
