package cal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrRestored is matched by the error of CommitAll when a write failed and
// the objects written before it were put back as they were.
var ErrRestored = errors.New("nothing was changed: the objects written before were restored")

// CommitError is CommitAll's error: which write failed and what was put
// back. It matches ErrRestored when every restore succeeded.
type CommitError struct {
	Failed   string   // the object whose write failed
	Err      error    // its error
	Restored []string // objects written back with their old bytes
	// RestoreErr is the failure to restore (nil when all were restored);
	// those objects are left changed.
	RestoreErr error
}

func (e *CommitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v", e.Err)
	if len(e.Restored) > 0 {
		fmt.Fprintf(&b, "; restored %s", strings.Join(e.Restored, ", "))
	}
	if e.RestoreErr != nil {
		fmt.Fprintf(&b, "; RESTORING FAILED, these objects are left changed: %v", e.RestoreErr)
	} else {
		b.WriteString(" (nothing was changed)")
	}
	return b.String()
}

// Unwrap returns the write error and, if all were restored, ErrRestored.
func (e *CommitError) Unwrap() []error {
	if e.RestoreErr != nil {
		return []error{e.Err, e.RestoreErr}
	}
	return []error{e.Err, ErrRestored}
}

// CommitAll writes several prepared objects all or nothing: when a write
// fails, the objects written so far (the failed one included, in case it
// was written in part) get their bytes from before Prepare back, last
// first, with a context that a cancellation does not end. It returns the
// values as written, or a *CommitError.
func CommitAll(ctx context.Context, mem Memory, ws []*Pending) ([]*Value, error) {
	vs := make([]*Value, len(ws))
	for i, w := range ws {
		v, err := w.Commit(ctx, mem)
		if err == nil {
			vs[i] = v
			continue
		}
		ce := &CommitError{Failed: w.d.Name, Err: err}
		rctx := context.WithoutCancel(ctx)
		var errs []error
		for j := i; j >= 0; j-- {
			if j == i {
				// The failed object needs restoring only if it was written
				// in part.
				if cur, err := mem.Read(rctx, w.d.Address, w.d.Ext, len(w.old)); err == nil && bytes.Equal(cur, w.old) {
					continue
				}
			}
			if err := ws[j].Restore(rctx, mem); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", ws[j].d.Name, err))
				continue
			}
			if j < i {
				ce.Restored = append(ce.Restored, ws[j].d.Name)
			}
		}
		ce.RestoreErr = errors.Join(errs...)
		return nil, ce
	}
	return vs, nil
}

// Restore writes the object's bytes as they were read by Prepare back.
func (w *Pending) Restore(ctx context.Context, mem Memory) error {
	if err := mem.Write(ctx, w.d.Address, w.d.Ext, w.old); err != nil {
		return fmt.Errorf("values: restore %s: %w", w.d.Name, err)
	}
	return nil
}
