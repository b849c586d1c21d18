// Package convert streams the samples of a goxcp recording (package record)
// into other formats. The driver Run reads the recording once, decodes the
// DTOs per DAQ list and hands each sample to a Sink; the sub-packages are
// the sinks: csv, parquet, sqlite and hdf5. Memory use is independent of
// the recording's size: every sink buffers a bounded number of rows.
package convert

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/goxcp/goxcp/compu"
	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
)

// Sink receives the samples of one recording.
type Sink interface {
	// Begin is called once, before any sample, with the recording's
	// metadata and the table layout of each DAQ list.
	Begin(m *record.Meta, tables []Table) error
	// Sample is called for each complete sample in file order; s is only
	// valid during the call.
	Sample(s *dto.Sample) error
	// Close finishes the output; it is called once after the last sample
	// (also after an error, to release resources).
	Close() error
}

// Column kinds beside the measurement types.
const (
	ColHost  = "host" // host timestamp, int64 ns since Meta.Start
	ColSlave = "slave"
	ColValue = "value"
	// ColText is a measurement with a verbal conversion (TAB_VERB): the
	// sample holds the raw value, Column.Text gives the string.
	ColText = "text"
)

// Options select what Run writes.
type Options struct {
	// Raw writes the raw values as recorded; by default measurements that
	// carry a conversion (recorded from A2L signals) are written as
	// physical values.
	Raw bool
}

// Column is one output column.
type Column struct {
	Name string
	Kind string   // ColHost, ColSlave, ColValue or ColText
	Type dto.Type // of a ColValue or ColText; host and slave times are int64
	Unit string
	// Conv is the conversion of a physical column: numeric physical
	// values arrive as F64 values (Type F64); a ColText column gets the
	// raw values and Text. nil for raw values.
	Conv *compu.Conv
}

// Text returns the text of value v of a ColText column.
func (c *Column) Text(v dto.Value) string { return c.Conv.Text(v.Float64()) }

// Table is the output layout of one DAQ list: the host time, the slave
// time (if the list has timestamps), then the measurements in layout
// order. Names are unique within a table.
type Table struct {
	List    int    // index in Meta.DAQ.Lists
	Name    string // the list's name, made unique and safe for file names
	Columns []Column
	// HasSlave reports whether the second column is the slave time.
	HasSlave bool
}

// Tables returns the table layout of every list of m with raw values.
func Tables(m *record.Meta) []Table {
	t, _ := Layout(m, Options{Raw: true}) // raw: nothing can fail
	return t
}

// Layout returns the table layout of every list of m: with physical
// values (unless o.Raw) for measurements that carry a conversion; an
// IDENTICAL conversion keeps the recorded type. It fails for a damaged
// conversion, naming the list and measurement.
func Layout(m *record.Meta, o Options) ([]Table, error) {
	used := map[string]bool{}
	out := make([]Table, len(m.DAQ.Lists))
	for i, l := range m.DAQ.Lists {
		name := unique(used, SafeName(l.Name, "list"+strconv.Itoa(int(l.Number))))
		t := Table{List: i, Name: name, HasSlave: l.Timestamps && m.DAQ.TimestampSize > 0}
		cols := map[string]bool{}
		t.Columns = append(t.Columns, Column{Name: unique(cols, "host_ns"), Kind: ColHost, Unit: "ns"})
		if t.HasSlave {
			t.Columns = append(t.Columns, Column{Name: unique(cols, "slave_ns"), Kind: ColSlave, Unit: "ns"})
		}
		for j, ms := range l.Measurements {
			n := ms.Name
			if n == "" {
				n = "m" + strconv.Itoa(j)
			}
			c := Column{Name: unique(cols, n), Kind: ColValue, Type: ms.Type, Unit: ms.Unit}
			if ms.Conversion != nil && o.Raw && ms.Conversion.Type != "IDENTICAL" {
				c.Unit = "" // the unit is the physical value's, not the raw one's
			}
			if ms.Conversion != nil && !o.Raw {
				cv, err := compu.FromSpec(*ms.Conversion)
				if err != nil {
					return nil, fmt.Errorf("convert: list %q: measurement %q: %w", l.Name, ms.Name, err)
				}
				if c.Unit == "" {
					c.Unit = cv.Unit
				}
				switch {
				case cv.Verbal():
					c.Kind, c.Conv, c.Unit = ColText, cv, ""
				case cv.Type != compu.Identical:
					c.Type, c.Conv = dto.F64, cv
				}
			}
			t.Columns = append(t.Columns, c)
		}
		out[i] = t
	}
	return out, nil
}

// physical returns, per list, the conversion of each measurement whose
// value Run replaces by its physical value (nil entries: kept).
func physical(tables []Table, nlists int) [][]*compu.Conv {
	out := make([][]*compu.Conv, nlists)
	for _, t := range tables {
		first := 1
		if t.HasSlave {
			first = 2
		}
		var cs []*compu.Conv
		for j, c := range t.Columns[first:] {
			if c.Kind == ColValue && c.Conv != nil {
				if cs == nil {
					cs = make([]*compu.Conv, len(t.Columns)-first)
				}
				cs[j] = c.Conv
			}
		}
		out[t.List] = cs
	}
	return out
}

func unique(used map[string]bool, n string) string {
	base := n
	for i := 2; used[strings.ToLower(n)]; i++ {
		n = base + "_" + strconv.Itoa(i)
	}
	used[strings.ToLower(n)] = true
	return n
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_.\-]+`)

// SafeName turns s into a name usable as a file name: runs of characters
// other than letters, digits, '_', '.', '-' become '_'; empty or dot-only
// names become def.
func SafeName(s, def string) string {
	s = unsafeChars.ReplaceAllString(s, "_")
	if strings.Trim(s, "._") == "" {
		return def
	}
	return s
}

// Result summarises a conversion.
type Result struct {
	Samples  uint64
	PerList  []uint64 // samples per list index
	Decode   dto.Stats
	Stats    record.Stats // the recording's last stats block
	Complete bool         // the recording was closed cleanly
	Tail     *record.Tail
	Damage   []record.CorruptError
}

// Run converts the recording read by r into sink. Reading and decoding
// run on a goroutine of their own, one batch of samples ahead of the sink
// (memory: three batches). Run stops early with ctx's error when ctx is
// done. The sink is closed in every case.
//
// Run writes physical values (see Layout); RunWith selects raw values.
func Run(ctx context.Context, r *record.Reader, sink Sink) (Result, error) {
	return RunWith(ctx, r, sink, Options{})
}

// RunWith is Run with options.
func RunWith(ctx context.Context, r *record.Reader, sink Sink, o Options) (res Result, err error) {
	d, err := record.NewDecoder(r)
	if err != nil {
		sink.Close()
		return res, fmt.Errorf("convert: %w", err)
	}
	res, err = RunSource(ctx, readerSource{r, d}, sink, o)
	if err != nil {
		return res, err
	}
	res.Decode = d.Stats()
	res.Stats = r.Stats()
	res.Complete = r.Complete()
	res.Tail = r.Tail()
	res.Damage = r.Damage()
	return res, nil
}

// Source yields the decoded samples of a recording: a goxcp recording
// (Run) or another recorder's file, such as pyXCP's .xmraw
// (record/xmraw.Source).
type Source interface {
	// Meta describes the recording; its DAQ lists give the tables.
	Meta() *record.Meta
	// Next advances to the next complete sample.
	Next() bool
	// Sample returns the current sample, valid until the next Next.
	Sample() *dto.Sample
	// Err returns the error that ended Next early, if any.
	Err() error
}

// ReaderSource returns the samples of the goxcp recording read by r as a
// Source.
func ReaderSource(r *record.Reader) (Source, error) {
	d, err := record.NewDecoder(r)
	if err != nil {
		return nil, fmt.Errorf("convert: %w", err)
	}
	return readerSource{r, d}, nil
}

type readerSource struct {
	r *record.Reader
	*record.Decoder
}

func (s readerSource) Meta() *record.Meta { return s.r.Meta() }

// RunSource converts the samples of src into sink, like RunWith; the
// Result holds the sample counts (Samples, PerList). When src stops with
// an error, everything before it has been written and the sink closed;
// the error is returned.
func RunSource(ctx context.Context, src Source, sink Sink, o Options) (res Result, err error) {
	m := src.Meta()
	tables, err := Layout(m, o)
	if err != nil {
		sink.Close()
		return res, err
	}
	phys := physical(tables, len(m.DAQ.Lists))
	if err := sink.Begin(m, tables); err != nil {
		sink.Close()
		return res, err
	}
	defer func() {
		if cerr := sink.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	res.PerList = make([]uint64, len(m.DAQ.Lists))
	full := make(chan *batch, 2)
	free := make(chan *batch, 3)
	for range 3 {
		free <- &batch{}
	}
	done := make(chan struct{})
	decoded := make(chan error, 1)
	go func() { decoded <- decode(src, phys, free, full, done) }()
	stop := func() {
		close(done)
		<-decoded
	}
	for b := range full {
		for i := range b.samples {
			s := &b.samples[i]
			if err := sink.Sample(s); err != nil {
				stop()
				return res, err
			}
			res.PerList[s.List]++
		}
		res.Samples += uint64(len(b.samples))
		free <- b
		if err := ctx.Err(); err != nil {
			stop()
			return res, err
		}
	}
	if err := <-decoded; err != nil {
		return res, err
	}
	return res, nil
}

// Count returns the number of samples per list of src (for formats that
// lay out their datasets before writing, such as HDF5), reading it to the
// end.
func Count(ctx context.Context, src Source) ([]uint64, error) {
	counts := make([]uint64, len(src.Meta().DAQ.Lists))
	for n := 1; src.Next(); n++ {
		counts[src.Sample().List]++
		if n&0xFFFF == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	return counts, src.Err()
}

// batchSamples is the number of samples handed over at once, fewer when
// they hold more than batchValues values together: the batches' memory
// stays bounded however wide a list is (4096 samples of 200 values each
// were 20 MB a batch).
const (
	batchSamples = 4096
	batchValues  = 1 << 16
)

// batch is a set of decoded samples whose values live in vals.
type batch struct {
	samples []dto.Sample
	vals    []dto.Value
}

// decode fills batches from d until the end (then closes full) or until
// done is closed.
func decode(d Source, phys [][]*compu.Conv, free <-chan *batch, full chan<- *batch, done <-chan struct{}) error {
	defer close(full)
	for {
		var b *batch
		select {
		case b = <-free:
		case <-done:
			return nil
		}
		b.samples, b.vals = b.samples[:0], b.vals[:0]
		more := true
		for len(b.samples) < batchSamples && len(b.vals) < batchValues {
			if more = d.Next(); !more {
				break
			}
			s := d.Sample()
			off := len(b.vals)
			b.vals = append(b.vals, s.Values...)
			if cs := phys[s.List]; cs != nil {
				vs := b.vals[off:]
				for j, c := range cs {
					if c != nil && j < len(vs) {
						vs[j] = dto.FloatValue(dto.F64, c.Phys(vs[j].Float64()))
					}
				}
			}
			c := *s
			c.Values = b.vals[off:len(b.vals):len(b.vals)]
			b.samples = append(b.samples, c)
		}
		if len(b.samples) == 0 {
			return d.Err()
		}
		// Values appended after a reallocation moved the arena; re-slice.
		off := 0
		for i := range b.samples {
			n := len(b.samples[i].Values)
			b.samples[i].Values = b.vals[off : off+n : off+n]
			off += n
		}
		select {
		case full <- b:
		case <-done:
			return nil
		}
		if !more {
			return d.Err()
		}
	}
}

// IsDirOutput reports whether out names a directory for the formats that
// write one file per DAQ list: it ends in a path separator ("out/") or is
// an existing directory. Anything else names one file.
func IsDirOutput(out string) bool {
	if out == "" {
		return false
	}
	if os.IsPathSeparator(out[len(out)-1]) {
		return true
	}
	st, err := os.Stat(out)
	return err == nil && st.IsDir()
}

// ErrSeveralLists is returned (wrapped in a *SeveralListsError) when a
// format that holds one DAQ list per file is given one file name for a
// recording with several lists.
var ErrSeveralLists = errors.New("several DAQ lists for one file")

// SeveralListsError says that out names one file but the recording has
// several DAQ lists; name a directory instead (IsDirOutput).
type SeveralListsError struct {
	Out   string
	Lists []string // the table names
}

func (e *SeveralListsError) Error() string {
	return fmt.Sprintf("%s names one file, but the recording has %d DAQ lists (%s) and this format holds one list per file: name a directory (%s%c) for one file per list",
		e.Out, len(e.Lists), strings.Join(e.Lists, ", "), strings.TrimRight(e.Out, string(filepath.Separator)), filepath.Separator)
}

// Unwrap returns ErrSeveralLists.
func (e *SeveralListsError) Unwrap() error { return ErrSeveralLists }

// PerListPaths returns the output file of each table for the formats that
// write one file per DAQ list (CSV, Parquet), by a rule that depends on out
// alone: when out names a directory (IsDirOutput: "out/" or an existing
// directory) every table goes to out/<table name><ext>, also a single one
// (dir is true; the caller creates the directory); otherwise out is the one
// file, which needs exactly one table — with several the error is a
// *SeveralListsError.
func PerListPaths(out, ext string, tables []Table) (paths []string, dir bool, err error) {
	if IsDirOutput(out) {
		for _, t := range tables {
			paths = append(paths, filepath.Join(out, t.Name+ext))
		}
		return paths, true, nil
	}
	if len(tables) > 1 {
		e := &SeveralListsError{Out: out}
		for _, t := range tables {
			e.Lists = append(e.Lists, t.Name)
		}
		return nil, false, e
	}
	return []string{out}, false, nil
}
