package convert

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/mdf4"
	"github.com/goxcp/goxcp/record/convert/mf4"
)

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}

// runRepair completes the MDF file of a killed recording from its
// journal.
func runRepair(ctx context.Context, opts *Options) error {
	path := strings.TrimSuffix(opts.File, ".xlog")
	if !mf4.IsPath(path) {
		return cmdutil.UsageErrorf("--repair: %s is not an MDF file (.mf4) or its journal (.mf4.xlog)", opts.File)
	}
	if _, err := os.Stat(mf4.JournalPath(path)); os.IsNotExist(err) {
		// Nothing to repair if the MDF file is there and complete.
		if f, oerr := mdf4.Open(path); oerr == nil {
			f.Close()
			fmt.Fprintf(opts.IO.ErrOut, "%s is complete (no journal %s): nothing to repair\n", path, mf4.JournalPath(path))
			return nil
		}
	}
	v, _ := mdfVersion(opts.MDFVersion)
	res, err := mf4.Finalize(ctx, path, mf4.Options{Version: v})
	if err != nil {
		return err
	}
	s := Summary{File: mf4.JournalPath(path), Format: "mf4", Output: []string{path}, Samples: res.Samples, Complete: res.Complete,
		Tail: res.Tail, Dropped: res.Stats.Dropped, Unknown: res.Decode.Unknown, NonDTO: res.Decode.Other, FramesRec: res.Stats.Frames}
	for _, d := range res.Damage {
		s.Damage = append(s.Damage, d.Error())
	}
	for i, n := range res.PerList {
		s.Lists = append(s.Lists, ListSummary{Name: fmt.Sprintf("list %d", i), Samples: n})
	}
	warn(opts, &s)
	return opts.Printer(opts.JSON).Print(s, tables(&s)...)
}
