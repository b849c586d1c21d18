package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/knadh/koanf/parsers/toml/v2"
	"github.com/knadh/koanf/v2"
	gotoml "github.com/pelletier/go-toml/v2"

	"github.com/goxcp/goxcp/internal/editdist"
)

// ErrSyntax is matched by the error of a configuration file that is not
// valid TOML.
var ErrSyntax = errors.New("not valid TOML")

// syntaxError is a TOML syntax error; it matches ErrSyntax.
type syntaxError struct{ err error }

func (e *syntaxError) Error() string   { return e.err.Error() }
func (e *syntaxError) Unwrap() []error { return []error{e.err, ErrSyntax} }

// FileName is the configuration file name looked for in the working
// directory and in the user configuration directory (<dir>/goxcp/xcp.toml).
const FileName = "xcp.toml"

// Load reads the TOML file at path over Default() and validates the result.
// Errors name the file and the key. The caller named the file, so programs
// it names may run (Config.Trusted); for a file found rather than chosen
// use SetOrigin.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	c.Trusted, c.Origin = true, OriginFlag
	return c, nil
}

// Parse decodes TOML data over Default() and validates the result. name is
// the file name used in error messages and stored in Config.File.
func Parse(name string, data []byte) (*Config, error) {
	k := koanf.New(".")
	if err := k.Load(bytesProvider(data), toml.Parser()); err != nil {
		var de *gotoml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, &syntaxError{fmt.Errorf("%s:%d:%d: %w", name, row, col, err)}
		}
		return nil, &syntaxError{fmt.Errorf("%s: %w", name, err)}
	}
	known, sections := knownKeys(reflect.TypeFor[Config](), ""), map[string]bool{}
	for k := range known {
		for i, c := range k {
			if c == '.' {
				sections[k[:i]] = true
			}
		}
	}
	keys := k.Keys()
	slices.Sort(keys)
	for _, key := range keys {
		if !known[key] {
			if sections[key] {
				return nil, &FieldError{File: name, Key: key, Msg: "is a section ([" + key + "]), not a value"}
			}
			return nil, &FieldError{File: name, Key: key, Msg: "unknown key" + suggest(key, known)}
		}
	}
	c := Default()
	paths := fieldPaths(reflect.TypeFor[Config](), "", "", nil)
	dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		DecodeHook:       durationHook,
		WeaklyTypedInput: false,
		MatchName:        func(mapKey, fieldName string) bool { return mapKey == fieldName },
		Result:           c,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := dec.Decode(byFieldPath(k.All(), paths)); err != nil {
		return nil, decodeError(name, err, paths)
	}
	c.File = name
	c.normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// normalize lower-cases the names pyXCP users write in any case
// (layer = "ETH", protocol = "TCP", interface = "SocketCAN").
func (c *Config) normalize() {
	t := &c.Transport
	t.Layer, t.Eth.Protocol, t.Can.Interface = strings.ToLower(t.Layer), strings.ToLower(t.Eth.Protocol), strings.ToLower(t.Can.Interface)
}

// Find returns the configuration file to use: explicit (the --config flag)
// if set, else the XCP_CONFIG variable read through getenv, else ./xcp.toml,
// else xcp.toml in the goxcp directory under the user configuration
// directory. An explicitly named file must exist; "" with a nil error means
// no file was found (use Default()).
func Find(explicit string, getenv func(string) string) (string, error) {
	path, _, err := Locate(explicit, getenv)
	return path, err
}

// bytesProvider is a koanf.Provider serving a byte slice.
type bytesProvider []byte

func (b bytesProvider) ReadBytes() ([]byte, error) { return b, nil }
func (b bytesProvider) Read() (map[string]any, error) {
	return nil, errors.New("config: bytes provider needs a parser")
}

// knownKeys returns the dotted keys of every leaf setting of t.
func knownKeys(t reflect.Type, prefix string) map[string]bool {
	keys := map[string]bool{}
	for k := range fieldPaths(t, prefix, "", nil) {
		keys[k] = true
	}
	return keys
}

// suggest names a known key in the same section when the unknown one looks
// like a typo of it (same name in another case, or one edit away).
func suggest(key string, known map[string]bool) string {
	section, name := "", key
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		section, name = key[:i+1], key[i+1:]
	}
	var best []string
	for k := range known {
		if !strings.HasPrefix(k, section) || strings.Contains(k[len(section):], ".") {
			continue
		}
		if n := k[len(section):]; strings.EqualFold(n, name) || editdist.Levenshtein(n, strings.ToLower(name)) <= 2 {
			best = append(best, k)
		}
	}
	if len(best) == 0 {
		return ""
	}
	slices.Sort(best)
	return " (did you mean " + strings.Join(best, " or ") + "?)"
}

// durationHook turns TOML strings ("250ms") and numbers (seconds) into
// time.Duration, and refuses fractional numbers for integer settings.
func durationHook(from, to reflect.Type, data any) (any, error) {
	if to != reflect.TypeFor[time.Duration]() {
		if f, ok := data.(float64); ok && kindName(to) == "an integer" && f != float64(int64(f)) {
			return nil, fmt.Errorf("expected an integer, got number %g", f)
		}
		return data, nil
	}
	switch v := data.(type) {
	case string:
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, fmt.Errorf("not a duration (like \"2s\" or \"250ms\"): %q", v)
		}
		return d, nil
	case int64:
		return time.Duration(v) * time.Second, nil
	case float64:
		return time.Duration(v * float64(time.Second)), nil
	}
	return data, nil
}

// decodeError turns a mapstructure error into a *FieldError naming the
// file key (paths maps file keys to the Go field paths the decoder names).
func decodeError(file string, err error, paths map[string]string) error {
	var de *mapstructure.DecodeError
	if !errors.As(err, &de) {
		return fmt.Errorf("%s: %w", file, err)
	}
	msg := de.Unwrap().Error()
	var ut *mapstructure.UnconvertibleTypeError
	if errors.As(de.Unwrap(), &ut) {
		msg = fmt.Sprintf("expected %s, got %s", kindName(ut.Expected.Type()), valueName(ut.Value))
	}
	key := de.Name()
	for k, p := range paths {
		if strings.EqualFold(p, key) || strings.HasPrefix(key, p+"[") {
			key = k + key[len(p):]
			break
		}
	}
	return &FieldError{File: file, Key: key, Msg: msg}
}

func kindName(t reflect.Type) string {
	if t == reflect.TypeFor[time.Duration]() {
		return "a duration"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "a table"
	}
	return t.String()
}

func valueName(v any) string {
	switch v := v.(type) {
	case string:
		return "string " + strconv.Quote(v)
	case bool:
		return "boolean " + strconv.FormatBool(v)
	case int64:
		return "integer " + strconv.FormatInt(v, 10)
	case float64:
		return "number " + strconv.FormatFloat(v, 'g', -1, 64)
	case []any:
		return "a list"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}
