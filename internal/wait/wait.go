// Package wait provides a context-aware sleep for the protocol engines
// (master, dbg): the XCP timing parameters (t7 and friends, ASAM MCD-1 XCP
// part 2) are waits that must end early when the caller gives up.
package wait

import (
	"context"
	"time"
)

// For waits d or until ctx is done, whichever comes first. It returns nil
// after the full wait and ctx.Err() otherwise.
func For(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
