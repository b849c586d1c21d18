// Package listfile reads DAQ list files: which signals to measure on which
// event, in goxcp's TOML or JSON layout or in pyXCP's xcp_daq_recorder JSON
// (with its daq_override DAQ information). It turns a file into daq.List
// values (package goxcp/daq) and a daq.Override; errors name the file, the
// list and the key. Lists may name signals by A2L name; goxcp/a2ldaq
// resolves them.
package listfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/goxcp/goxcp/daq"
	"github.com/goxcp/goxcp/protocol/dto"
)

// File is the content of a DAQ list file.
//
// TOML layout (JSON uses the same keys, with "lists" or "daq_lists"):
//
//	[[list]]
//	name = "fast"
//	event = 0              # or the slave's event name: event = "1ms"
//	prescaler = 1
//	priority = 0
//	timestamps = true
//	measurements = [
//	  { name = "counter", address = 0x1000, ext = 0, type = "U32" },
//	  { name = "flag", address = 0x1004, type = "U8", mask = 0x01 },
//	]
//	signals = ["EngineSpeed", "waves.sine"]  # A2L names, resolved by the caller
//
//	[[list]]            # a predefined list of the slave
//	name = "engine"
//	predefined = true
//	number = 0
//	event = 1
//	measurements = [ { name = "rpm", address = 0x2000, type = "U16" } ]
//
//	[override]  # optional: DAQ info for slaves lacking optional commands
//	processor = { minDaq = 0, maxDaq = 4, ... }  # pyXCP daq_override keys
//
// pyXCP's xcp_daq_recorder JSON is accepted as well: a plain array of
// lists or {"daq_lists": [...], "runtime_seconds": ..., "daq_override":
// {...}}, each list with event_num, enable_timestamps and measurements as
// [name, address, ext, type] arrays.
type File struct {
	Lists    []daq.List
	Override *daq.Override // nil if the file has none
	// Runtime is pyXCP's runtime_seconds (0 if absent).
	Runtime time.Duration
	// OutputFile and OutputType are pyXCP's output_file / output_type.
	OutputFile, OutputType string
}

// Load reads a DAQ list file; the format follows the extension (.toml,
// .json). Errors name the file, the list and the measurement.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("daq: %w", err)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return ParseJSON(data, path)
	case ".toml":
		return ParseTOML(data, path)
	}
	if t := bytes.TrimSpace(data); len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid(t) {
		return ParseJSON(data, path)
	}
	return ParseTOML(data, path)
}

// ParseTOML parses a TOML DAQ list file; name is used in errors.
func ParseTOML(data []byte, name string) (*File, error) {
	var root map[string]any
	if err := toml.Unmarshal(data, &root); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, fmt.Errorf("daq: %s:%d:%d: %s", name, row, col, de.Error())
		}
		return nil, fmt.Errorf("daq: %s: %w", name, err)
	}
	return fromTree(root, name)
}

// ParseJSON parses a JSON DAQ list file (goxcp or pyXCP layout).
func ParseJSON(data []byte, name string) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
			return nil, fmt.Errorf("daq: %s:%d: %v", name, line, err)
		}
		return nil, fmt.Errorf("daq: %s: %w", name, err)
	}
	if arr, ok := root.([]any); ok {
		root = map[string]any{"daq_lists": arr}
	}
	m, ok := root.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("daq: %s: want an object or an array of DAQ lists at the top", name)
	}
	return fromTree(m, name)
}

// tree is a decoded document with the path of the current node for errors.
type tree struct {
	file string
	path string
}

func (t tree) errf(format string, a ...any) error {
	return fmt.Errorf("daq: %s: %s: %s", t.file, t.path, fmt.Sprintf(format, a...))
}

func (t tree) in(p string) tree {
	if t.path == "" {
		return tree{t.file, p}
	}
	return tree{t.file, t.path + ": " + p}
}

func fromTree(root map[string]any, file string) (*File, error) {
	t := tree{file: file}
	cfg := &File{}
	var lists []any
	found := 0
	for _, k := range []string{"list", "lists", "daq_lists"} {
		if v, ok := root[k]; ok {
			found++
			arr, ok := v.([]any)
			if !ok {
				if ms, ok2 := v.([]map[string]any); ok2 {
					for _, m := range ms {
						arr = append(arr, m)
					}
				} else {
					return nil, t.in(k).errf("want an array of DAQ lists")
				}
			}
			lists = arr
		}
	}
	if found == 0 {
		return nil, fmt.Errorf("daq: %s: no DAQ lists (want [[list]] tables, or \"lists\"/\"daq_lists\")", file)
	}
	if found > 1 {
		return nil, fmt.Errorf("daq: %s: DAQ lists given under more than one key (list, lists, daq_lists)", file)
	}
	for k, v := range root {
		switch k {
		case "list", "lists", "daq_lists":
		case "override", "daq_override", "daq_info_override":
			m, ok := v.(map[string]any)
			if !ok {
				return nil, t.in(k).errf("want a table")
			}
			o, err := parseOverride(m, t.in(k))
			if err != nil {
				return nil, err
			}
			cfg.Override = o
		case "runtime_seconds":
			f, err := t.in(k).float(v)
			if err != nil {
				return nil, err
			}
			cfg.Runtime = time.Duration(f * float64(time.Second))
		case "output_file", "output_type":
			s, ok := v.(string)
			if !ok {
				return nil, t.in(k).errf("want a string")
			}
			if k == "output_file" {
				cfg.OutputFile = s
			} else {
				cfg.OutputType = s
			}
		default:
			return nil, t.errf("unknown key %q", k)
		}
	}
	for i, lv := range lists {
		lm, ok := lv.(map[string]any)
		if !ok {
			return nil, t.in(fmt.Sprintf("DAQ list #%d", i+1)).errf("want a table/object")
		}
		l, err := parseList(lm, t.in(fmt.Sprintf("DAQ list #%d", i+1)))
		if err != nil {
			return nil, err
		}
		cfg.Lists = append(cfg.Lists, l)
	}
	if err := daq.ValidateUnresolved(cfg.Lists); err != nil {
		return nil, fmt.Errorf("daq: %s: %w", file, err)
	}
	return cfg, nil
}

func parseList(m map[string]any, t tree) (daq.List, error) {
	var l daq.List
	if n, ok := m["name"].(string); ok {
		l.Name = n
		t = tree{t.file, fmt.Sprintf("DAQ list %q", n)}
	}
	for k, v := range m {
		var err error
		switch k {
		case "name":
			if _, ok := v.(string); !ok {
				err = t.in(k).errf("want a string")
			}
		case "event", "event_num":
			if name, ok := v.(string); ok {
				if strings.TrimSpace(name) == "" {
					err = t.in(k).errf("empty event name")
					break
				}
				if _, perr := strconv.ParseUint(strings.ReplaceAll(name, "_", ""), 0, 16); perr != nil {
					l.EventName = name // an event name such as "10ms"
					break
				}
			}
			var n uint64
			n, err = t.in(k).uint(v, math.MaxUint16)
			l.Event = uint16(n)
		case "prescaler":
			var n uint64
			n, err = t.in(k).uint(v, 255)
			l.Prescaler = uint8(n)
		case "priority":
			var n uint64
			n, err = t.in(k).uint(v, 255)
			l.Priority = uint8(n)
		case "timestamps", "enable_timestamps":
			b, ok := v.(bool)
			if !ok {
				err = t.in(k).errf("want true or false")
			}
			l.Timestamps = b
		case "predefined":
			b, ok := v.(bool)
			if !ok {
				err = t.in(k).errf("want true or false")
			}
			l.Predefined = b
		case "number":
			var n uint64
			n, err = t.in(k).uint(v, math.MaxUint16)
			l.Number = uint16(n)
		case "stim":
			b, ok := v.(bool)
			if !ok {
				err = t.in(k).errf("want true or false")
			}
			l.Stim = b
		case "signals":
			arr, ok := v.([]any)
			if !ok {
				return l, t.in(k).errf("want an array of A2L names")
			}
			for i, sv := range arr {
				s, ok := sv.(string)
				if !ok || strings.TrimSpace(s) == "" {
					return l, t.in(fmt.Sprintf("signal #%d", i+1)).errf("want an A2L name (a string)")
				}
				l.Signals = append(l.Signals, strings.TrimSpace(s))
			}
		case "measurements":
			arr, ok := v.([]any)
			if !ok {
				return l, t.in(k).errf("want an array")
			}
			for i, mv := range arr {
				var ms dto.Measurement
				ms, err = parseMeasurement(mv, t.in(fmt.Sprintf("measurement #%d", i+1)))
				if err != nil {
					break
				}
				l.Measurements = append(l.Measurements, ms)
			}
		default:
			err = t.errf("unknown key %q", k)
		}
		if err != nil {
			return l, err
		}
	}
	_, ev := m["event"]
	_, evNum := m["event_num"]
	l.EventFromSignals = len(l.Signals) > 0 && !ev && !evNum
	return l, nil
}

func parseMeasurement(v any, t tree) (dto.Measurement, error) {
	var ms dto.Measurement
	switch x := v.(type) {
	case []any: // pyXCP: [name, address, ext, type]
		if len(x) != 4 {
			return ms, t.errf("want [name, address, ext, type], got %d elements", len(x))
		}
		v = map[string]any{"name": x[0], "address": x[1], "ext": x[2], "type": x[3]}
	case map[string]any:
	default:
		return ms, t.errf("want a table/object or a [name, address, ext, type] array")
	}
	m := v.(map[string]any)
	if n, ok := m["name"].(string); ok {
		t = tree{t.file, t.path + fmt.Sprintf(" %q", n)}
	}
	for k, v := range m {
		var err error
		switch k {
		case "name":
			s, ok := v.(string)
			if !ok {
				err = t.in(k).errf("want a string")
			}
			ms.Name = s
		case "address", "addr":
			var n uint64
			n, err = t.in(k).uint(v, math.MaxUint32)
			ms.Address = uint32(n)
		case "ext", "extension", "address_extension":
			var n uint64
			n, err = t.in(k).uint(v, 255)
			ms.Extension = uint8(n)
		case "type", "datatype":
			s, ok := v.(string)
			if !ok {
				err = t.in(k).errf("want a type name such as \"U16\"")
				break
			}
			ms.Type, err = dto.ParseType(s)
			if err != nil {
				err = t.in(k).errf("%v", err)
			}
		case "mask", "bitmask":
			ms.BitMask, err = t.in(k).uint(v, math.MaxUint64)
		default:
			err = t.errf("unknown key %q", k)
		}
		if err != nil {
			return ms, err
		}
	}
	if ms.Type == 0 {
		return ms, t.errf("no type")
	}
	if _, ok := m["address"]; !ok {
		if _, ok := m["addr"]; !ok {
			return ms, t.errf("no address")
		}
	}
	return ms, nil
}

// uint converts a TOML/JSON number (or a "0x…" string) to an unsigned
// integer no larger than max.
func (t tree) uint(v any, max uint64) (uint64, error) {
	var n uint64
	switch x := v.(type) {
	case int64:
		if x < 0 {
			return 0, t.errf("%d is negative", x)
		}
		n = uint64(x)
	case float64:
		if x < 0 || x != math.Trunc(x) || x > float64(max) {
			return 0, t.errf("want an integer in 0..%d, got %v", max, x)
		}
		n = uint64(x)
	case json.Number:
		u, err := strconv.ParseUint(x.String(), 10, 64)
		if err != nil {
			return 0, t.errf("want an integer in 0..%d, got %s", max, x)
		}
		n = u
	case string:
		u, err := strconv.ParseUint(strings.ReplaceAll(x, "_", ""), 0, 64)
		if err != nil {
			return 0, t.errf("want an integer in 0..%d, got %q", max, x)
		}
		n = u
	default:
		return 0, t.errf("want an integer, got %T", v)
	}
	if n > max {
		return 0, t.errf("%d is out of range 0..%d", n, max)
	}
	return n, nil
}

func (t tree) float(v any) (float64, error) {
	switch x := v.(type) {
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return 0, t.errf("want a number, got %s", x)
		}
		return f, nil
	}
	return 0, t.errf("want a number, got %T", v)
}
