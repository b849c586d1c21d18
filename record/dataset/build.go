package dataset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
	"github.com/goxcp/goxcp/record/xmraw"
)

// Options tune Build.
type Options struct {
	// Workers is the number of recordings converted at once (default: the
	// number of usable CPUs).
	Workers int
	// RowGroupRows is the number of rows per Parquet row group (default
	// 1 Mi rows, fewer for wide lists: at most about 64 MB of values).
	RowGroupRows int
	// ECU, if set, is the ECU id of every recording; by default it is the
	// recording's slave identification, "unknown" if it has none.
	ECU string
	// Raw writes raw ECU values instead of physical ones.
	Raw bool
	// Logger receives a line per recording (default: none).
	Logger *slog.Logger
}

// Result is the outcome for one source.
type Result struct {
	Source string
	// Recording is what was added (nil if nothing was).
	Recording *Recording
	// Duplicate is set when the recording was already in the dataset (the
	// entry added before) or given twice; nothing was written.
	Duplicate *Recording
	// Err is why the source was not added, or for an added recording why
	// it ended early (its intact part is in the dataset).
	Err error
}

type builder struct {
	dir      string
	opts     Options
	log      *slog.Logger
	mu       sync.Mutex
	manifest *Manifest
	inflight map[string]string // sha → source
}

// Build adds the recordings at sources to the dataset in dir (created if
// needed), converting opts.Workers of them at a time, and returns one
// Result per source in order. The error is for the dataset as a whole
// (unreadable manifest, ctx done); per-recording failures are in the
// Results.
func Build(ctx context.Context, dir string, sources []string, opts Options) ([]Result, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	b := &builder{dir: dir, opts: opts, log: opts.Logger, manifest: m, inflight: map[string]string{}}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	results := make([]Result, len(sources))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(opts.Workers, len(sources)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = b.add(ctx, sources[i])
			}
		}()
	}
feed:
	for i := range sources {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return results, ctx.Err()
}

// register checks a list's columns against the dataset's schema for it
// (recording it for a new list).
func (b *builder) register(list string, cols []Column) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if want, ok := b.manifest.Lists[list]; ok {
		if !sameSchema(want, cols) {
			return &SchemaError{List: list, Want: want, Got: cols}
		}
		return nil
	}
	b.manifest.Lists[list] = cols
	return nil
}

// hash returns the SHA-256 of the file at path and its size.
func hash(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// open returns the sample source of a goxcp or pyXCP recording.
func open(path string) (convert.Source, io.Closer, error) {
	if py, err := xmraw.IsFile(path); err != nil {
		return nil, nil, err
	} else if py {
		r, err := xmraw.Open(path)
		if err != nil {
			return nil, nil, err
		}
		// Host times from the recording's start: wall-clock time in host_ns.
		src, err := xmraw.NewSourceWith(r, xmraw.SourceOptions{HostSinceStart: true})
		if err != nil {
			r.Close()
			return nil, nil, err
		}
		return src, r, nil
	}
	r, err := record.Open(path)
	if err != nil {
		return nil, nil, err
	}
	src, err := convert.ReaderSource(r)
	if err != nil {
		r.Close()
		return nil, nil, err
	}
	return src, r, nil
}

// add converts one recording.
func (b *builder) add(ctx context.Context, path string) (res Result) {
	res.Source = path
	if err := ctx.Err(); err != nil {
		res.Err = err
		return res
	}
	sha, size, err := hash(path)
	if err != nil {
		res.Err = fmt.Errorf("dataset: %w", err)
		return res
	}
	b.mu.Lock()
	if r := b.manifest.has(sha); r != nil {
		dup := *r
		res.Duplicate = &dup
	} else if other, ok := b.inflight[sha]; ok {
		res.Duplicate = &Recording{Source: other, SHA256: sha}
	} else {
		b.inflight[sha] = path
	}
	b.mu.Unlock()
	if res.Duplicate != nil {
		b.log.Info("already in the dataset", "source", path, "as", res.Duplicate.Source)
		return res
	}
	defer func() {
		b.mu.Lock()
		delete(b.inflight, sha)
		b.mu.Unlock()
	}()
	src, c, err := open(path)
	if err != nil {
		res.Err = err
		return res
	}
	defer c.Close()
	m := src.Meta()
	base := filepath.Base(path)
	rec := &Recording{Recording: base, ID: convert.SafeName(strings.TrimSuffix(base, filepath.Ext(base)), "recording") + "_" + sha[:12],
		Source: path, SHA256: sha, Size: size, ECU: b.opts.ECU, Start: m.Start.UTC(), Added: time.Now().UTC()}
	if rec.ECU == "" {
		rec.ECU = m.Slave.Identifier
	}
	if rec.ECU == "" {
		rec.ECU = "unknown"
	}
	s := &sink{b: b, rec: rec, ecuDir: convert.SafeName(rec.ECU, "unknown")}
	_, err = convert.RunSource(ctx, src, s, convert.Options{Raw: b.opts.Raw})
	var fe *xmraw.FormatError
	switch {
	case err == nil:
	case errors.As(err, &fe) || errors.Is(err, record.ErrCorrupt) || errors.Is(err, record.ErrTruncated):
		// Damage: the intact part stays in the dataset.
		rec.Damage = err.Error()
		res.Err = fmt.Errorf("dataset: %s: %w (the intact part was added)", path, err)
	default:
		s.abort()
		res.Err = fmt.Errorf("dataset: %s: %w", path, err)
		return res
	}
	b.mu.Lock()
	b.manifest.Recordings = append(b.manifest.Recordings, *rec)
	werr := b.manifest.write(b.dir)
	b.mu.Unlock()
	if werr != nil {
		res.Err = werr
		return res
	}
	res.Recording = rec
	b.log.Info("added", "source", path, "ecu", rec.ECU, "rows", rec.Rows, "files", len(rec.Files))
	return res
}
