// Package stimulus drives the STIM lists of a DAQ configuration (XCP 1.5
// part 2, "stimulation"): it builds the values to send from constants,
// waveforms and value tables (a CSV file replayed row by row), sends one
// set per period through daq.Stimulator, and reads the stimulated
// measurements back to check that the slave applied the last set.
//
// A [Source] says which value each measurement gets in set i at time t;
// [Run] configures the lists on a connected master, paces the sets at the
// period of the STIM event (or Options.Period), stops the lists and
// returns a [Result]. `xcp stim` is this package plus flag parsing.
package stimulus

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Signal is the value of one measurement in set i, sent t after the first
// set.
type Signal func(i int, t time.Duration) float64

// Source yields the values of each set: constants, waveforms and the rows
// of one value table. Each measurement name can be given once. The zero
// Source is empty and ready to use; a Source is not safe for concurrent
// use.
type Source struct {
	gens    map[string]Signal
	signals int // gens that are not constants
	origin  map[string]string
	cols    []string
	rows    [][]float64
	loop    bool
}

// DuplicateError reports a measurement name given twice to a Source.
type DuplicateError struct {
	Name   string
	Origin string // where the second value came from (e.g. "--wave")
	Prev   string // where the first one came from
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%s: %q is already given by %s", e.Origin, e.Name, e.Prev)
}

func (s *Source) claim(name, origin string) error {
	if name == "" {
		return fmt.Errorf("%s: empty measurement name", origin)
	}
	if s.origin == nil {
		s.origin = map[string]string{}
	}
	if prev, ok := s.origin[name]; ok {
		return &DuplicateError{Name: name, Origin: origin, Prev: prev}
	}
	s.origin[name] = origin
	return nil
}

// Const sets measurement name to v in every set; origin names where the
// value came from in a DuplicateError.
func (s *Source) Const(name string, v float64, origin string) error {
	if err := s.Signal(name, func(int, time.Duration) float64 { return v }, origin); err != nil {
		return err
	}
	s.signals--
	return nil
}

// Signal makes measurement name follow sig (for example a waveform of
// ParseWave).
func (s *Source) Signal(name string, sig Signal, origin string) error {
	if err := s.claim(name, origin); err != nil {
		return err
	}
	if s.gens == nil {
		s.gens = map[string]Signal{}
	}
	s.gens[name] = sig
	s.signals++
	return nil
}

// Table replays rows, one per set: column c of a row is the value of
// measurement cols[c]. The source ends after the last row unless loop.
// A Source holds at most one table.
func (s *Source) Table(cols []string, rows [][]float64, loop bool, origin string) error {
	if s.cols != nil {
		return fmt.Errorf("%s: the source already has a value table", origin)
	}
	if len(cols) == 0 || len(rows) == 0 {
		return fmt.Errorf("%s: a value table needs columns and rows", origin)
	}
	for i, r := range rows {
		if len(r) != len(cols) {
			return fmt.Errorf("%s: row %d has %d values for %d columns", origin, i+1, len(r), len(cols))
		}
	}
	seen := map[string]bool{}
	for _, c := range cols {
		if prev, ok := s.origin[c]; ok || seen[c] {
			if !ok {
				prev = origin
			}
			return &DuplicateError{Name: c, Origin: origin, Prev: prev}
		}
		if c == "" {
			return fmt.Errorf("%s: empty measurement name", origin)
		}
		seen[c] = true
	}
	for _, c := range cols {
		_ = s.claim(c, origin) // checked above
	}
	s.cols, s.rows, s.loop = cols, rows, loop
	return nil
}

// Names returns every measurement name the source sets, sorted.
func (s *Source) Names() []string {
	var n []string
	for k := range s.origin {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// Changing reports whether the source has a waveform (Signal) or a
// table; a source of constants only needs one set.
func (s *Source) Changing() bool { return s.signals > 0 || len(s.rows) > 0 }

// Values stores the values of set i at time t in out; it returns false
// when the source has ended (after the last table row without loop).
func (s *Source) Values(i int, t time.Duration, out map[string]float64) bool {
	if len(s.rows) > 0 && i >= len(s.rows) && !s.loop {
		return false
	}
	for k, g := range s.gens {
		out[k] = g(i, t)
	}
	if len(s.rows) > 0 {
		row := s.rows[i%len(s.rows)]
		for c, k := range s.cols {
			out[k] = row[c]
		}
	}
	return true
}

// ParseWave parses a waveform:
//
//	ramp:FROM:TO:STEP        FROM, FROM+STEP, … up to TO, then again from FROM (one step per set)
//	sine:AMP:OFFSET:PERIOD   OFFSET + AMP·sin(2π·t/PERIOD), PERIOD a duration like 2s
//	square:LOW:HIGH:PERIOD   LOW for the first half of PERIOD, then HIGH
func ParseWave(spec string) (Signal, error) {
	f := strings.Split(spec, ":")
	if len(f) != 4 {
		return nil, errors.New("want KIND:A:B:C (ramp:FROM:TO:STEP, sine:AMP:OFFSET:PERIOD, square:LOW:HIGH:PERIOD)")
	}
	num := func(i int, what string) (float64, error) {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("%s %q is not a number", what, f[i])
		}
		return v, nil
	}
	a, err := num(1, "the first parameter")
	if err != nil {
		return nil, err
	}
	b, err := num(2, "the second parameter")
	if err != nil {
		return nil, err
	}
	switch kind := strings.ToLower(f[0]); kind {
	case "ramp":
		step, err := num(3, "STEP")
		if err != nil {
			return nil, err
		}
		if step == 0 || (b-a)/step < 0 {
			return nil, fmt.Errorf("STEP %v does not lead from %v to %v", step, a, b)
		}
		n := int(math.Floor((b-a)/step+1e-9)) + 1
		return func(i int, _ time.Duration) float64 { return a + float64(i%n)*step }, nil
	case "sine", "square":
		p, err := time.ParseDuration(f[3])
		if err != nil || p <= 0 {
			return nil, fmt.Errorf("PERIOD %q is not a positive duration (like 500ms)", f[3])
		}
		if kind == "sine" {
			return func(_ int, t time.Duration) float64 { return b + a*math.Sin(2*math.Pi*float64(t)/float64(p)) }, nil
		}
		return func(_ int, t time.Duration) float64 {
			if t%p < p/2 {
				return a
			}
			return b
		}, nil
	}
	return nil, fmt.Errorf("unknown waveform %q (want ramp, sine or square)", f[0])
}
