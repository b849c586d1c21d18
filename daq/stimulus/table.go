package stimulus

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ReadTable reads a CSV value table for Source.Table: a header row of
// measurement names, then one row of numbers per set. A first column
// named time or timestamp… is dropped; lines starting with # are
// comments. name (usually the file name) prefixes every error, with the
// line number for a bad value.
func ReadTable(r io.Reader, name string) (cols []string, rows [][]float64, err error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	hdr, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("%s: empty file (want a header row of measurement names)", name)
		}
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	skip := 0
	if h := strings.ToLower(strings.TrimSpace(hdr[0])); h == "time" || strings.HasPrefix(h, "timestamp") {
		skip = 1
	}
	cols = hdr[skip:]
	if len(cols) == 0 {
		return nil, nil, fmt.Errorf("%s: the header names no measurement", name)
	}
	for i, c := range cols {
		cols[i] = strings.TrimSpace(c)
		if cols[i] == "" {
			return nil, nil, fmt.Errorf("%s: column %d has no name", name, i+skip+1)
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		row := make([]float64, len(cols))
		for i := range cols {
			v, err := strconv.ParseFloat(strings.TrimSpace(rec[i+skip]), 64)
			if err != nil {
				return nil, nil, fmt.Errorf("%s:%d: column %q: %q is not a number", name, line, cols[i], rec[i+skip])
			}
			row[i] = v
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("%s: no rows after the header", name)
	}
	return cols, rows, nil
}
