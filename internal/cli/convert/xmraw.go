package convert

import (
	"context"
	"errors"
	"fmt"

	rconv "github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/opener"
	"github.com/goxcp/goxcp/record/xmraw"
)

// openXmraw opens a pyXCP recording as a sample source.
func openXmraw(file string) (*xmraw.Source, func(), error) {
	src, c, err := opener.OpenXMRaw(file)
	if err != nil {
		return nil, nil, err
	}
	return src, func() { c.Close() }, nil
}

// runXmraw converts a pyXCP recording; damage ends it with an error after
// the intact part has been written and the summary printed.
func runXmraw(ctx context.Context, opts *Options) error {
	src, closeSrc, err := openXmraw(opts.File)
	if err != nil {
		return err
	}
	defer func() { closeSrc() }() // the source may be reopened below
	m := src.Meta()
	out, err := output(opts, m)
	if err != nil {
		return err
	}
	var counts []uint64
	if opts.To == "hdf5" {
		// Counted to the damage, like the conversion itself.
		counts, _ = rconv.Count(ctx, src)
		if err := ctx.Err(); err != nil {
			return err
		}
		closeSrc()
		if src, closeSrc, err = openXmraw(opts.File); err != nil {
			return err
		}
	}
	sink := newSink(opts, out, counts)
	res, cerr := rconv.RunSource(ctx, src, sink, rconv.Options{Raw: opts.Raw || opts.To == "mf4"})
	var fe *xmraw.FormatError
	if cerr != nil && !errors.As(cerr, &fe) {
		return fmt.Errorf("convert %s: %w", opts.File, cerr)
	}
	paths := []string{out}
	if ps, ok := sink.(pathSink); ok {
		paths = ps.Paths()
	}
	r := src.Reader()
	ds := src.Decoder().Stats()
	s := Summary{File: opts.File, Format: opts.To, Output: paths, Samples: res.Samples, Complete: cerr == nil,
		Unknown: ds.Unknown, NonDTO: ds.Other, FramesRec: r.Header().Frames}
	for _, d := range r.Damage() {
		s.Damage = append(s.Damage, d.Error())
	}
	for i, l := range m.DAQ.Lists {
		s.Lists = append(s.Lists, ListSummary{Name: l.Name, Samples: ds.Lists[i].Samples, MissingODTs: ds.Lists[i].OutOfOrder, Malformed: ds.Lists[i].Short})
	}
	warn(opts, &s)
	if err := opts.Printer(opts.JSON).Print(s, tables(&s)...); err != nil {
		return err
	}
	if cerr != nil {
		return fmt.Errorf("convert %s: %w (the %d samples before it were converted)", opts.File, cerr, res.Samples)
	}
	return nil
}
