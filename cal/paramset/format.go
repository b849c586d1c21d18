package paramset

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Format is a file format of parameter sets.
type Format int

// The formats.
const (
	// JSON is goxcp's own format: the Set as JSON.
	JSON Format = iota + 1
	// DCM is the DAMOS/ETAS text format "KONSERVIERUNG_FORMAT 2.0".
	DCM
	// CDFX is ASAM CDF 2.0 (XML).
	CDFX
)

func (f Format) String() string {
	switch f {
	case JSON:
		return "json"
	case DCM:
		return "dcm"
	case CDFX:
		return "cdfx"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ErrFormat is returned (wrapped) for a file name whose format is unknown.
var ErrFormat = errors.New("unknown parameter set format (want .dcm, .cdfx or .json)")

// FormatOf returns the format of a file by its extension: .dcm, .cdfx
// (also .cdf) or .json.
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".dcm":
		return DCM, nil
	case ".cdfx", ".cdf":
		return CDFX, nil
	case ".json":
		return JSON, nil
	}
	return 0, fmt.Errorf("paramset: %s: %w", path, ErrFormat)
}

// ParseFormat parses a format name (dcm, cdfx, json; any case).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "dcm":
		return DCM, nil
	case "cdfx", "cdf":
		return CDFX, nil
	case "json":
		return JSON, nil
	}
	return 0, fmt.Errorf("paramset: %q: %w", s, ErrFormat)
}

// maxFileSize bounds what Read takes in, against runaway inputs.
const maxFileSize = 256 << 20

// Read reads a set in format f.
func Read(r io.Reader, f Format) (*Set, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("paramset: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("paramset: %s input larger than %d MiB", f, maxFileSize>>20)
	}
	var s *Set
	switch f {
	case JSON:
		s, err = readJSON(data)
	case DCM:
		s, err = readDCM(data)
	case CDFX:
		s, err = readCDFX(data)
	default:
		return nil, fmt.Errorf("paramset: %v: %w", f, ErrFormat)
	}
	if err != nil {
		return nil, err
	}
	s.Sort()
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("paramset: %s: %w", f, err)
	}
	return s, nil
}

// Write writes s in format f and returns the items the format cannot hold
// (DCM has no cuboids, for example), which are left out.
func Write(w io.Writer, f Format, s *Set) ([]Skip, error) {
	var buf bytes.Buffer
	var skips []Skip
	var err error
	switch f {
	case JSON:
		err = writeJSON(&buf, s)
	case DCM:
		skips, err = writeDCM(&buf, s)
	case CDFX:
		skips, err = writeCDFX(&buf, s)
	default:
		return nil, fmt.Errorf("paramset: %v: %w", f, ErrFormat)
	}
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return nil, fmt.Errorf("paramset: %w", err)
	}
	return skips, nil
}

// ReadFile reads a set from a file in the format its extension names.
func ReadFile(path string) (*Set, error) {
	f, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("paramset: %w", err)
	}
	defer file.Close()
	s, err := Read(file, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if s.Source == "" {
		s.Source = path
	}
	return s, nil
}

// WriteFile writes a set to a file in the format its extension names,
// through a temporary file renamed into place (an interrupted write leaves
// any earlier file intact).
func WriteFile(path string, s *Set) ([]Skip, error) {
	f, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	skips, err := Write(&buf, f, s)
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, fmt.Errorf("paramset: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("paramset: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("paramset: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, fmt.Errorf("paramset: %w", err)
	}
	return skips, nil
}

// Validate checks that every item is consistent: a name, as many values
// as its dimensions say, texts parallel to values, axes as long as their
// dimension, no duplicate names.
func (s *Set) Validate() error {
	seen := map[string]bool{}
	for _, it := range s.Items {
		if it == nil || it.Name == "" {
			return errors.New("an item without a name")
		}
		if seen[it.Name] {
			return fmt.Errorf("%s appears twice", it.Name)
		}
		seen[it.Name] = true
		if it.String != nil {
			if len(it.Values) > 0 {
				return fmt.Errorf("%s: both a string and values", it.Name)
			}
			continue
		}
		n := max(len(it.Values), len(it.Text))
		if n == 0 {
			return fmt.Errorf("%s: no values", it.Name)
		}
		if len(it.Text) > 0 && len(it.Values) > 0 && len(it.Text) != len(it.Values) {
			return fmt.Errorf("%s: %d texts for %d values", it.Name, len(it.Text), len(it.Values))
		}
		if len(it.Dims) > 0 {
			p := 1
			for _, d := range it.Dims {
				if d <= 0 || d > maxFileSize {
					return fmt.Errorf("%s: dimension %d", it.Name, d)
				}
				p *= d
				if p > maxFileSize {
					return fmt.Errorf("%s: dimensions too large", it.Name)
				}
			}
			if p != n {
				return fmt.Errorf("%s: %d values, dimensions %s need %d", it.Name, n, dimString(it), p)
			}
		}
		for k, ax := range it.Axes {
			if ax == nil {
				return fmt.Errorf("%s: axis %s missing", it.Name, axisName(k))
			}
			m := max(len(ax.Values), len(ax.Text))
			if len(ax.Text) > 0 && len(ax.Values) > 0 && len(ax.Text) != len(ax.Values) {
				return fmt.Errorf("%s: axis %s: %d texts for %d points", it.Name, axisName(k), len(ax.Text), len(ax.Values))
			}
			if k < len(it.Dims) && m != 0 && m != it.Dims[k] {
				return fmt.Errorf("%s: axis %s has %d points, dimension %d", it.Name, axisName(k), m, it.Dims[k])
			}
		}
	}
	return nil
}
