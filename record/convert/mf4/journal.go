package mf4

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
)

// An MDF file cannot be written crash-safe as it is measured: its
// metadata (record counts, data lists) is written last. A recording to
// an .mf4 path therefore goes to a journal beside it first, the
// crash-safe goxcp recording (.xlog) that loses at most its last
// unflushed chunk (record.Options.FlushInterval, 250 ms) to a kill -9 or
// power loss; Finalize turns it into the MDF file at the end, or after a
// crash (`xcp convert --repair run.mf4`).

// IsPath reports whether path names an MDF file (.mf4 or .mdf).
func IsPath(path string) bool {
	p := strings.ToLower(path)
	return strings.HasSuffix(p, ".mf4") || strings.HasSuffix(p, ".mdf")
}

// JournalPath returns the journal of the MDF file path: path + ".xlog".
func JournalPath(path string) string { return path + ".xlog" }

// Finalize converts the journal of the MDF file path into path and
// removes the journal once the MDF file is complete. The MDF file is
// written under a temporary name and renamed, so a crash while
// finalising leaves the journal and no partial MDF file. A journal that
// was not closed cleanly (the recorder was killed) converts up to its
// last complete block; the Result says so.
func Finalize(ctx context.Context, path string, o Options) (convert.Result, error) {
	journal := JournalPath(path)
	r, err := record.Open(journal)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return convert.Result{}, fmt.Errorf("mf4: no journal %s to finalise %s from: %w", journal, path, err)
		}
		return convert.Result{}, err
	}
	defer r.Close()
	tmp := path + ".tmp"
	if o.Stats == nil {
		o.Stats = r.Stats
	}
	res, err := convert.RunWith(ctx, r, New(tmp, o), convert.Options{Raw: true})
	if err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("mf4: finalising %s from %s: %w", path, journal, err)
	}
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return res, err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("mf4: %w", err)
	}
	r.Close()
	if err := os.Remove(journal); err != nil {
		return res, fmt.Errorf("mf4: %s is complete, but removing its journal: %w", path, err)
	}
	return res, nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("mf4: %w", err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("mf4: %w", err)
	}
	return nil
}
