// Package opener opens any recording goxcp reads — its own .xlog files,
// pyXCP's .xmraw recordings and ASAM MDF 4 files — as one sample source
// (record/convert.Source), recognising the format by content, so tools that
// read recordings (plots, conversions) need not care which it is. Convert
// converts any of them into a sink with one Outcome for every format.
package opener

import (
	"fmt"
	"io"
	"os"

	"github.com/goxcp/goxcp/mdf4"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/convert/mf4"
	"github.com/goxcp/goxcp/record/xmraw"
)

// Format names a recording file format.
type Format string

// The formats Open recognises.
const (
	XLog  Format = "xlog"  // goxcp recording
	XMRaw Format = "xmraw" // pyXCP recorder file
	MDF4  Format = "mf4"   // ASAM MDF 4
)

// Recording is an open recording.
type Recording struct {
	Format Format
	// Source yields the samples.
	convert.Source
	xlog   *record.Reader
	closer io.Closer
}

// Interruptions returns the times the measurement was interrupted, as far
// as the file stores them (goxcp recordings: read after the last sample).
func (r *Recording) Interruptions() []record.Interruption {
	if r.xlog != nil {
		return r.xlog.Stats().Interruptions
	}
	return nil
}

// Close closes the file.
func (r *Recording) Close() error { return r.closer.Close() }

// Open opens the recording at path.
func Open(path string) (*Recording, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opener: %w", err)
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	f.Close()
	if mdf4.IsMDF(head[:n]) {
		src, c, err := OpenMDF(path)
		if err != nil {
			return nil, err
		}
		return &Recording{Format: MDF4, Source: src, closer: c}, nil
	}
	if py, err := xmraw.IsFile(path); err != nil {
		return nil, err
	} else if py {
		src, c, err := OpenXMRaw(path)
		if err != nil {
			return nil, err
		}
		return &Recording{Format: XMRaw, Source: src, closer: c}, nil
	}
	r, err := record.Open(path)
	if err != nil {
		return nil, err
	}
	src, err := convert.ReaderSource(r)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Recording{Format: XLog, Source: src, xlog: r, closer: r}, nil
}

// OpenMDF opens an MDF 4 file as a sample source (with the MDF-specific
// counters of *mf4.Source); the Closer closes the file.
func OpenMDF(path string) (*mf4.Source, io.Closer, error) {
	mf, err := mdf4.Open(path)
	if err != nil {
		return nil, nil, err
	}
	src, err := mf4.NewSource(mf)
	if err != nil {
		mf.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return src, mf, nil
}

// OpenXMRaw opens a pyXCP recording as a sample source (with the
// pyXCP-specific reader behind *xmraw.Source); the Closer closes the file.
func OpenXMRaw(path string) (*xmraw.Source, io.Closer, error) {
	xr, err := xmraw.Open(path)
	if err != nil {
		return nil, nil, err
	}
	src, err := xmraw.NewSource(xr)
	if err != nil {
		xr.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return src, xr, nil
}
