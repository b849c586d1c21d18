package convert

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/goxcp/goxcp/internal/cli/cmdutil"
	"github.com/goxcp/goxcp/mdf4"
	rconv "github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/mf4"
	"github.com/goxcp/goxcp/record/opener"
)

// isMDF reports whether file starts like an MDF file.
func isMDF(file string) (bool, error) {
	f, err := os.Open(file)
	if err != nil {
		return false, err
	}
	defer f.Close()
	var b [8]byte
	if _, err := io.ReadFull(f, b[:]); err != nil {
		return false, nil
	}
	return mdf4.IsMDF(b[:]), nil
}

// openMDF opens an MDF 4 file as a sample source.
func openMDF(file string) (*mf4.Source, func(), error) {
	src, c, err := opener.OpenMDF(file)
	if err != nil {
		return nil, nil, err
	}
	return src, func() { c.Close() }, nil
}

// runMDF converts an MDF 4 file (another tool's or goxcp's own).
func runMDF(ctx context.Context, opts *Options) error {
	src, closeSrc, err := openMDF(opts.File)
	if err != nil {
		return err
	}
	defer func() { closeSrc() }() // the source may be reopened below
	m := src.Meta()
	out, err := output(opts, m)
	if err != nil {
		return err
	}
	if same, _ := sameFile(opts.File, out); same {
		return fmt.Errorf("convert %s: the output %s is the input file", opts.File, out)
	}
	var counts []uint64
	if opts.To == "hdf5" {
		if counts, err = rconv.Count(ctx, src); err != nil {
			return fmt.Errorf("convert %s: %w", opts.File, err)
		}
		closeSrc()
		if src, closeSrc, err = openMDF(opts.File); err != nil {
			return err
		}
	}
	sink := newSink(opts, out, counts)
	res, err := rconv.RunSource(ctx, src, sink, rconv.Options{Raw: opts.Raw || opts.To == "mf4"})
	if err != nil {
		return fmt.Errorf("convert %s: %w", opts.File, err)
	}
	paths := []string{out}
	if ps, ok := sink.(pathSink); ok {
		paths = ps.Paths()
	}
	s := Summary{File: opts.File, Format: opts.To, Output: paths, Samples: res.Samples, Complete: true}
	for i, l := range m.DAQ.Lists {
		s.Lists = append(s.Lists, ListSummary{Name: l.Name, Samples: res.PerList[i]})
	}
	for _, sk := range src.Skipped() {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s: left out %s\n", opts.File, sk)
	}
	if n := src.Invalid(); n > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s: %d values marked invalid in the file were written as NaN\n", opts.File, n)
	}
	warn(opts, &s)
	return opts.Printer(opts.JSON).Print(s, tables(&s)...)
}

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
