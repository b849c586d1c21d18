package opener

import (
	"context"
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/mf4"
	"github.com/goxcp/goxcp/record/xmraw"
)

// Outcome is what Convert did with one recording, in the same terms for
// every format; counters a format does not store stay zero.
type Outcome struct {
	Format Format
	Meta   *record.Meta
	// Samples is the number of samples written, Lists the per-list
	// figures (by index in Meta.DAQ.Lists).
	Samples uint64
	Lists   []ListOutcome
	// Complete is false for a goxcp recording not closed cleanly (Tail
	// says where it ends) and for a pyXCP file that ends in damage.
	Complete bool
	Tail     *record.Tail
	// Damage describes the damaged parts that were skipped; DamagedFrames
	// is how many frames they held (goxcp recordings).
	Damage        []string
	DamagedFrames uint64
	// Frames is the number of frames the recorder stored; Unknown the DTOs
	// of no list, NonDTO the other packets in the file.
	Frames, Unknown, NonDTO uint64
	// Stats are the recorder's counters stored in a goxcp recording (loss
	// per list, dropped and unwritten frames, interruptions).
	Stats record.Stats
	// Skipped are the MDF channels left out, Invalid the MDF values marked
	// invalid and written as NaN.
	Skipped []string
	Invalid uint64
}

// ListOutcome is one DAQ list of an Outcome: the samples written and the
// samples the decoder had to drop.
type ListOutcome struct {
	Samples     uint64
	MissingODTs uint64 // ODTs missing or out of order
	Overloads   uint64
	Malformed   uint64
}

// NewSink makes the sink of a conversion for the recording described by m;
// counts are the samples per list when Convert was asked to count first
// (nil otherwise).
type NewSink func(m *record.Meta, counts []uint64) (convert.Sink, error)

// Convert converts the recording at path — a goxcp recording, a pyXCP
// .xmraw or an MDF 4 file, recognised by content (Open) — into the sink
// newSink makes, with o. With count the samples per list are counted in a
// first pass (HDF5 lays its datasets out before writing). A pyXCP file
// that ends in damage is converted up to the damage: the Outcome is
// returned with the *xmraw.FormatError. Other errors end the conversion
// (the Outcome is nil if nothing was converted).
func Convert(ctx context.Context, path string, newSink NewSink, count bool, o convert.Options) (*Outcome, error) {
	rec, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { rec.Close() }() // rec may be reopened below
	var counts []uint64
	if count {
		counts, err = convert.Count(ctx, rec.Source)
		var fe *xmraw.FormatError
		if err != nil && !errors.As(err, &fe) { // xmraw: counted up to the damage, like the conversion
			return nil, fmt.Errorf("count the samples of %s: %w", path, err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rec.Close()
		if rec, err = Open(path); err != nil {
			return nil, err
		}
	}
	m := rec.Meta()
	sink, err := newSink(m, counts)
	if err != nil {
		return nil, err
	}
	res, cerr := convert.RunSource(ctx, rec.Source, sink, o)
	var fe *xmraw.FormatError
	if cerr != nil && !(rec.Format == XMRaw && errors.As(cerr, &fe)) {
		return nil, cerr
	}
	out := &Outcome{Format: rec.Format, Meta: m, Samples: res.Samples, Complete: cerr == nil, Lists: make([]ListOutcome, len(m.DAQ.Lists))}
	for i := range out.Lists {
		if i < len(res.PerList) {
			out.Lists[i].Samples = res.PerList[i]
		}
	}
	switch src := rec.Source.(type) {
	case *mf4.Source:
		out.Skipped, out.Invalid = src.Skipped(), src.Invalid()
	case *xmraw.Source:
		r := src.Reader()
		ds := src.Decoder().Stats()
		out.Frames, out.Unknown, out.NonDTO = r.Header().Frames, ds.Unknown, ds.Other
		for _, d := range r.Damage() {
			out.Damage = append(out.Damage, d.Error())
		}
		for i, l := range ds.Lists {
			if i < len(out.Lists) {
				out.Lists[i].MissingODTs, out.Lists[i].Malformed = l.Incomplete, l.Malformed
			}
		}
	}
	if r := rec.xlog; r != nil {
		ds := rec.Source.(interface{ Stats() dto.Stats }).Stats()
		out.Stats, out.Complete, out.Tail = r.Stats(), r.Complete(), r.Tail()
		out.Frames, out.Unknown, out.NonDTO = out.Stats.Frames, ds.Unknown, ds.Other
		for _, d := range r.Damage() {
			out.Damage = append(out.Damage, d.Error())
			out.DamagedFrames += uint64(d.Frames)
		}
		for i, l := range ds.Lists {
			if i < len(out.Lists) {
				out.Lists[i].MissingODTs = l.MissingODT + l.OutOfOrder
				out.Lists[i].Overloads, out.Lists[i].Malformed = l.Overload, l.Malformed
			}
		}
	}
	return out, cerr
}
