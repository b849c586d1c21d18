// Package sqlite writes the samples of a goxcp recording into an SQLite
// database (modernc.org/sqlite, no cgo): one table per DAQ list with the
// columns host_ns, slave_ns (if the list has timestamps) and one column
// per measurement (INTEGER or REAL), plus the tables goxcp_meta (key,
// value: start time, tool, the recording's metadata as JSON) and
// goxcp_columns (tbl, col, type, unit, list_number, event, conversion:
// the table and column, its SQL type and unit, the DAQ list's number and
// event, the COMPU_METHOD name or NULL for raw values). Rows are inserted with
// multi-row INSERT statements in transactions of BatchRows rows.
//
// SQLite integers are signed 64-bit: U64 columns have no type affinity and
// hold values above 2^63-1 as decimal TEXT, so every value stays exact.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/goxcp/goxcp/protocol/dto"
	"github.com/goxcp/goxcp/record"
	"github.com/goxcp/goxcp/record/convert"
)

// Options tune the Sink.
type Options struct {
	// BatchRows is the number of rows per transaction (default 100000).
	BatchRows int
}

// rowsPerInsert rows share one INSERT statement.
const rowsPerInsert = 64

type table struct {
	name   string
	ncol   int
	one    *sql.Stmt // single-row insert
	many   *sql.Stmt // rowsPerInsert-row insert
	args   []any
	queued int
	text   []*convert.Column // per value: the ColText column, else nil
}

// Sink writes an SQLite database. Create it with New.
type Sink struct {
	path   string
	opts   Options
	db     *sql.DB
	tx     *sql.Tx
	tables []*table
	inTx   int
}

// New returns a Sink writing the database file path (replaced if it
// exists).
func New(path string, opts Options) *Sink {
	if opts.BatchRows <= 0 {
		opts.BatchRows = 100000
	}
	return &Sink{path: path, opts: opts}
}

// Quote quotes an SQL identifier.
func Quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func sqlType(c convert.Column) string {
	switch {
	case c.Kind == convert.ColText:
		return "TEXT"
	case c.Kind != convert.ColValue:
		return "INTEGER NOT NULL"
	case c.Type == dto.U64:
		return "" // no affinity: big values as exact TEXT
	case c.Type.Float():
		return "REAL"
	}
	return "INTEGER"
}

// Begin implements convert.Sink.
func (s *Sink) Begin(m *record.Meta, tables []convert.Table) error {
	if err := os.Remove(s.path); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("sqlite: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+s.path)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	db.SetMaxOpenConns(1)
	s.db = db
	ctx := context.Background()
	for _, p := range []string{"PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF", "PRAGMA cache_size=-8000"} {
		if _, err := db.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("sqlite: %s: %w", p, err)
		}
	}
	metaJSON, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	ddl := []string{
		"CREATE TABLE goxcp_meta (key TEXT PRIMARY KEY, value TEXT)",
		"CREATE TABLE goxcp_columns (tbl TEXT, col TEXT, type TEXT, unit TEXT, list_number INTEGER, event INTEGER, conversion TEXT)",
	}
	for _, q := range ddl {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
	}
	for k, v := range map[string]string{"start": m.Start.Format(time.RFC3339Nano), "tool": "goxcp", "recording": string(metaJSON)} {
		if _, err := db.ExecContext(ctx, "INSERT INTO goxcp_meta VALUES (?, ?)", k, v); err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
	}
	names := map[string]bool{"goxcp_meta": true, "goxcp_columns": true}
	for _, t := range tables {
		name := t.Name
		for i := 2; names[strings.ToLower(name)]; i++ {
			name = fmt.Sprintf("%s_%d", t.Name, i)
		}
		names[strings.ToLower(name)] = true
		l := m.DAQ.Lists[t.List]
		var cols []string
		var text []*convert.Column
		first := 1
		if t.HasSlave {
			first = 2
		}
		for j, c := range t.Columns {
			cols = append(cols, strings.TrimSpace(Quote(c.Name)+" "+sqlType(c)))
			typ := c.Kind
			if c.Kind == convert.ColValue {
				typ = c.Type.String()
			}
			var cname any // NULL: raw value
			if c.Conv != nil {
				cname = c.Conv.Name
			}
			if c.Kind == convert.ColText {
				if text == nil {
					text = make([]*convert.Column, len(t.Columns)-first)
				}
				text[j-first] = &t.Columns[j]
			}
			if _, err := db.ExecContext(ctx, "INSERT INTO goxcp_columns VALUES (?, ?, ?, ?, ?, ?, ?)", name, c.Name, typ, c.Unit, l.Number, l.Event, cname); err != nil {
				return fmt.Errorf("sqlite: %w", err)
			}
		}
		if _, err := db.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", Quote(name), strings.Join(cols, ", "))); err != nil {
			return fmt.Errorf("sqlite: create table %s: %w", name, err)
		}
		s.tables = append(s.tables, &table{name: name, ncol: len(t.Columns), args: make([]any, 0, rowsPerInsert*len(t.Columns)), text: text})
	}
	return s.beginTx()
}

func insertSQL(name string, ncol, rows int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", ncol), ",") + ")"
	return fmt.Sprintf("INSERT INTO %s VALUES %s", Quote(name), strings.TrimSuffix(strings.Repeat(row+",", rows), ","))
}

func (s *Sink) beginTx() error {
	tx, err := s.db.Begin()
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	s.tx = tx
	for _, t := range s.tables {
		if t.one, err = tx.Prepare(insertSQL(t.name, t.ncol, 1)); err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		if t.many, err = tx.Prepare(insertSQL(t.name, t.ncol, rowsPerInsert)); err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
	}
	return nil
}

// Sample implements convert.Sink.
func (s *Sink) Sample(sm *dto.Sample) error {
	t := s.tables[sm.List]
	t.args = append(t.args, sm.HostNS)
	if sm.HasSlave {
		t.args = append(t.args, sm.SlaveNS)
	}
	for j, v := range sm.Values {
		switch {
		case t.text != nil && t.text[j] != nil:
			t.args = append(t.args, t.text[j].Text(v))
		case v.Type.Float():
			t.args = append(t.args, v.Float64())
		case v.Type == dto.U64 && v.Uint64() > math.MaxInt64:
			t.args = append(t.args, v.String())
		default:
			t.args = append(t.args, v.Int64())
		}
	}
	t.queued++
	if t.queued == rowsPerInsert {
		if _, err := t.many.Exec(t.args...); err != nil {
			return fmt.Errorf("sqlite: insert into %s: %w", t.name, err)
		}
		t.args, t.queued = t.args[:0], 0
	}
	s.inTx++
	if s.inTx >= s.opts.BatchRows {
		if err := s.commit(); err != nil {
			return err
		}
		return s.beginTx()
	}
	return nil
}

// commit inserts the queued rows and commits the transaction.
func (s *Sink) commit() error {
	if s.tx == nil {
		return nil
	}
	var first error
	for _, t := range s.tables {
		for i := 0; i < t.queued && first == nil; i++ {
			if _, err := t.one.Exec(t.args[i*t.ncol : (i+1)*t.ncol]...); err != nil {
				first = fmt.Errorf("sqlite: insert into %s: %w", t.name, err)
			}
		}
		t.args, t.queued = t.args[:0], 0
		t.one.Close()
		t.many.Close()
	}
	if first != nil {
		s.tx.Rollback()
	} else if err := s.tx.Commit(); err != nil {
		first = fmt.Errorf("sqlite: commit: %w", err)
	}
	s.tx, s.inTx = nil, 0
	return first
}

// Close implements convert.Sink.
func (s *Sink) Close() error {
	if s.db == nil {
		return nil
	}
	err := s.commit()
	if cerr := s.db.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("sqlite: %w", cerr)
	}
	s.db = nil
	return err
}
