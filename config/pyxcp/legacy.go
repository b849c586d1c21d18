package pyxcp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	gotoml "github.com/pelletier/go-toml/v2"

	"github.com/goxcp/goxcp/config"
)

// A pyXCP configuration converted to goxcp settings.

// Problem is a line of a pyXCP configuration that was not converted.
type Problem struct {
	Line int    // 1-based; 0 = not tied to a line
	What string // the pyXCP key or the line's text
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", p.Line, p.What, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.What, p.Msg)
}

// converted is one goxcp setting with where it came from.
type converted struct {
	key   string // goxcp key
	value any    // in the goxcp field's type
	line  int
	from  string // pyXCP key
}

// Conversion is the result of converting a pyXCP configuration.
type Conversion struct {
	Source   string
	settings []converted
	Problems []Problem
	Notes    []string

	defaulted bool // pyxcpDefaults ran
}

// goxcpTypes maps every goxcp key to its Go type.
func goxcpTypes() map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for _, s := range config.Settings(config.Default()) {
		m[s.Key] = reflect.TypeOf(s.Value)
	}
	return m
}

// unsupported explains pyXCP settings goxcp has no equivalent for.
var unsupported = map[string]string{
	"general.seed_n_key_dll":                "goxcp cannot load seed & key DLLs; wrap the DLL in a key program and set general.seed_n_key_command",
	"general.seed_n_key_dll_same_bit_width": "goxcp cannot load seed & key DLLs",
	"general.custom_dll_loader":             "goxcp cannot load seed & key DLLs",
	"general.seed_n_key_function":           "a Python function cannot run in goxcp; use general.seed_n_key_command",
	"general.disable_error_handling":        "goxcp always runs the XCP error-handling matrix (general.max_retries bounds repetitions)",
	"transport.alignment":                   "goxcp pads according to the transport layer itself",
	"transport.create_daq_timestamps":       "goxcp always time-stamps received frames",
	"transport.eth.tcp_nodelay":             "no goxcp setting (Go sockets disable Nagle's algorithm by default)",
	"transport.usb.library":                 "goxcp uses libusb through its usb build",
}

// renames maps lowercased pyXCP traitlets keys to goxcp keys where the
// names differ.
var renames = map[string]string{
	"transport.eth.bind_to_address": "transport.eth.bind",
	"general.loglevel":              "logging.level",
	"application.log_level":         "logging.level",
	"pyxcp.log_level":               "logging.level",
}

// canInterfaces maps pyXCP / python-can interface names to goxcp's.
var canInterfaces = map[string]string{"virtual": "virtual", "socketcan": "socketcan", "slcan": "slcan",
	"udp_multicast": "udp", "udp": "udp"}

// add converts one pyXCP setting (traitlets key, e.g. "Transport.Eth.host")
// with its value; what names it in problems (the key as the file wrote it).
func (c *Conversion) add(types map[string]reflect.Type, line int, what, pykey string, v any) {
	key := strings.ToLower(pykey)
	if r, ok := renames[key]; ok {
		key = r
	}
	if msg, ok := unsupported[key]; ok {
		c.Problems = append(c.Problems, Problem{Line: line, What: what, Msg: msg})
		return
	}
	t, ok := types[key]
	if !ok {
		c.Problems = append(c.Problems, Problem{Line: line, What: what, Msg: "no goxcp setting corresponds"})
		return
	}
	if v == nil {
		c.Problems = append(c.Problems, Problem{Line: line, What: what, Msg: "None: the default is kept"})
		return
	}
	switch key {
	case "transport.layer", "transport.eth.protocol":
		if s, ok := v.(string); ok {
			v = strings.ToLower(s)
		}
	case "transport.can.interface":
		if s, ok := v.(string); ok {
			g, ok := canInterfaces[strings.ToLower(s)]
			if !ok {
				c.Problems = append(c.Problems, Problem{Line: line, What: what,
					Msg: fmt.Sprintf("python-can interface %q has no goxcp backend (virtual, udp, socketcan, slcan)", s)})
				return
			}
			v = g
		}
	case "logging.level":
		v = logLevel(v)
	case "general.max_retries":
		// pyXCP: -1 = repeat forever, 0 = never, N = at most N; goxcp:
		// negative = never, 0 = the default, at most 1000.
		if n, ok := integer(v); ok {
			switch {
			case n == 0:
				v = int64(-1)
				c.Notes = append(c.Notes, fmt.Sprintf("line %d: %s = 0 (pyXCP: no repetitions) is written as -1", line, what))
			case n < 0:
				v = int64(1000)
				c.Notes = append(c.Notes, fmt.Sprintf("line %d: %s = %d (pyXCP: repeat forever) is written as 1000, goxcp's largest bound", line, what, n))
			}
		}
	}
	gv, err := coerce(v, t)
	if err != nil {
		c.Problems = append(c.Problems, Problem{Line: line, What: what, Msg: err.Error()})
		return
	}
	if i := slices.IndexFunc(c.settings, func(s converted) bool { return s.key == key }); i >= 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("line %d: %s overrides line %d", line, what, c.settings[i].line))
		c.settings = slices.Delete(c.settings, i, i+1)
	}
	c.settings = append(c.settings, converted{key: key, value: gv, line: line, from: what})
}

// logLevel maps Python logging levels to goxcp's.
func logLevel(v any) any {
	var s string
	switch x := v.(type) {
	case string:
		s = strings.ToUpper(x)
	case int64:
		s = map[int64]string{10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL"}[x]
	default:
		return v
	}
	switch s {
	case "DEBUG":
		return "debug"
	case "INFO":
		return "info"
	case "WARN", "WARNING":
		return "warn"
	case "ERROR", "CRITICAL", "FATAL":
		return "error"
	}
	return v
}

// coerce converts a parsed pyXCP value to the goxcp field type t.
func coerce(v any, t reflect.Type) (any, error) {
	if t == reflect.TypeFor[time.Duration]() {
		switch x := v.(type) {
		case int64:
			return time.Duration(x) * time.Second, nil
		case float64:
			return time.Duration(x * float64(time.Second)), nil
		}
		return nil, fmt.Errorf("expected a number of seconds, got %s", describe(v))
	}
	switch t.Kind() {
	case reflect.String:
		switch x := v.(type) {
		case string:
			return x, nil
		case int64:
			return strconv.FormatInt(x, 10), nil // e.g. a CAN channel number
		}
	case reflect.Bool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case reflect.Int, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		n, ok := integer(v)
		if !ok {
			break
		}
		rv := reflect.New(t).Elem()
		if t.Kind() == reflect.Int {
			rv.SetInt(n)
		} else {
			if n < 0 || rv.OverflowUint(uint64(n)) {
				return nil, fmt.Errorf("%d does not fit in %s", n, t)
			}
			rv.SetUint(uint64(n))
		}
		return rv.Interface(), nil
	case reflect.Float64:
		switch x := v.(type) {
		case int64:
			return float64(x), nil
		case float64:
			return x, nil
		}
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			break
		}
		out := reflect.MakeSlice(t, 0, len(list))
		for _, e := range list {
			ev, err := coerce(e, t.Elem())
			if err != nil {
				return nil, fmt.Errorf("list element: %w", err)
			}
			out = reflect.Append(out, reflect.ValueOf(ev))
		}
		return out.Interface(), nil
	}
	return nil, fmt.Errorf("expected %s, got %s", kind(t), describe(v))
}

func integer(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
	case string:
		n, err := strconv.ParseInt(strings.ReplaceAll(x, "_", ""), 0, 64)
		return n, err == nil
	}
	return 0, false
}

func kind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "True or False"
	case reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "a list"
	}
	return "an integer"
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return "string " + strconv.Quote(x)
	case []any:
		return "a list"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T %v", v, v)
}

// TOML renders the converted settings as a goxcp configuration file; the
// problems and notes are listed as comments at the top. Settings goxcp
// refuses (config validation) are moved to the problems first, so the
// result always loads.
func (c *Conversion) TOML() ([]byte, error) {
	c.pyxcpDefaults()
	for range len(c.settings) + 1 {
		out := c.render()
		_, err := config.Parse(c.Source+" (converted)", out)
		if err == nil {
			return out, nil
		}
		var fe *config.FieldError
		if !errors.As(err, &fe) {
			return nil, err
		}
		i := slices.IndexFunc(c.settings, func(s converted) bool { return s.key == fe.Key || strings.HasPrefix(fe.Key, s.key+"[") })
		if i < 0 {
			return nil, err
		}
		s := c.settings[i]
		c.Problems = append(c.Problems, Problem{Line: s.line, What: s.from, Msg: fmt.Sprintf("goxcp refuses %s = %s: %s", s.key, config.FormatValue(s.value), fe.Msg)})
		c.settings = slices.Delete(c.settings, i, i+1)
	}
	return nil, errors.New("pyxcp: no loadable result")
}

// pyxcpDefaults writes out the pyXCP defaults that differ from goxcp's for
// what the file configures: pyXCP talks UDP unless told otherwise, goxcp
// TCP.
func (c *Conversion) pyxcpDefaults() {
	has := func(key string) bool {
		return slices.ContainsFunc(c.settings, func(s converted) bool { return s.key == key })
	}
	if has("transport.eth.protocol") || c.defaulted {
		return
	}
	eth := slices.ContainsFunc(c.settings, func(s converted) bool {
		return strings.HasPrefix(s.key, "transport.eth.") || (s.key == "transport.layer" && s.value == "eth")
	})
	if eth {
		c.defaulted = true
		c.settings = append(c.settings, converted{key: "transport.eth.protocol", value: "udp", from: "pyXCP's default"})
		c.Notes = append(c.Notes, "transport.eth.protocol = \"udp\" is written because the file does not set it: pyXCP's default is UDP, goxcp's TCP")
	}
}

func (c *Conversion) render() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# goxcp configuration converted from the pyXCP configuration %s\n", commentSafe(c.Source))
	for _, n := range c.Notes {
		fmt.Fprintf(&b, "# note: %s\n", commentSafe(n))
	}
	slices.SortStableFunc(c.Problems, func(a, b Problem) int { return a.Line - b.Line })
	if len(c.Problems) > 0 {
		b.WriteString("#\n# Not converted:\n")
		for _, p := range c.Problems {
			fmt.Fprintf(&b, "#   %s\n", commentSafe(p.String()))
		}
	}
	order := map[string]int{}
	for i, s := range config.Settings(config.Default()) {
		order[s.Key] = i
	}
	sorted := slices.Clone(c.settings)
	slices.SortFunc(sorted, func(a, b converted) int { return order[a.key] - order[b.key] })
	section := "-"
	for _, s := range sorted {
		i := strings.LastIndexByte(s.key, '.')
		if sec := s.key[:i]; sec != section {
			section = sec
			fmt.Fprintf(&b, "\n[%s]\n", sec)
		}
		where := fmt.Sprintf("%s, line %d", s.from, s.line)
		if s.line == 0 {
			where = s.from
		}
		fmt.Fprintf(&b, "%s = %s  # %s\n", s.key[i+1:], formatValue(s.key, s.value), commentSafe(where))
	}
	return b.Bytes()
}

// commentSafe makes s fit in a TOML comment: invalid UTF-8 and control
// characters are written as \xNN.
func commentSafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || (r < 0x20 && r != '\t') || r == 0x7F {
			fmt.Fprintf(&b, "\\x%02X", s[i])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// formatValue writes CAN identifiers in hex, everything else as
// config.FormatValue does.
func formatValue(key string, v any) string {
	switch x := v.(type) {
	case uint32:
		if strings.Contains(key, "can_id") {
			return fmt.Sprintf("0x%X", x)
		}
	case []uint32:
		parts := make([]string, len(x))
		for i, id := range x {
			parts[i] = fmt.Sprintf("0x%X", id)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return config.FormatValue(v)
}

// Legacy TOML/JSON configurations ([XCP], [ETH], [CAN], [SXI], [USB] or
// flat), keyed by upper-case names.

// legacyKeys maps legacy names to pyXCP traitlets keys (pyXCP's own
// converter table), by section ("" = any section).
var legacyKeys = map[string]string{
	"LOGLEVEL": "General.loglevel", "DISABLE_ERROR_HANDLING": "General.disable_error_handling",
	"SEED_N_KEY_DLL": "General.seed_n_key_dll", "SEED_N_KEY_DLL_SAME_BIT_WIDTH": "General.seed_n_key_dll_same_bit_width",
	"DISCONNECT_RESPONSE_OPTIONAL": "General.disconnect_response_optional", "MAX_RETRIES": "General.max_retries",
	"TRANSPORT": "Transport.layer", "CREATE_DAQ_TIMESTAMPS": "Transport.create_daq_timestamps",
	"TIMEOUT": "Transport.timeout", "ALIGNMENT": "Transport.alignment",
	"HOST": "Transport.Eth.host", "PROTOCOL": "Transport.Eth.protocol", "IPV6": "Transport.Eth.ipv6",
	"TCP_NODELAY":   "Transport.Eth.tcp_nodelay",
	"SERIAL_NUMBER": "Transport.Usb.serial_number", "CONFIGURATION_NUMBER": "Transport.Usb.configuration_number",
	"INTERFACE_NUMBER": "Transport.Usb.interface_number", "COMMAND_ENDPOINT_NUMBER": "Transport.Usb.out_ep_number",
	"REPLY_ENDPOINT_NUMBER": "Transport.Usb.in_ep_number", "VENDOR_ID": "Transport.Usb.vendor_id",
	"PRODUCT_ID": "Transport.Usb.product_id", "LIBRARY": "Transport.Usb.library",
	"CAN_DRIVER": "Transport.Can.interface", "CHANNEL": "Transport.Can.channel",
	"MAX_DLC_REQUIRED": "Transport.Can.max_dlc_required", "MAX_CAN_FD_DLC": "Transport.Can.max_can_fd_dlc",
	"PADDING_VALUE": "Transport.Can.padding_value", "CAN_ID_BROADCAST": "Transport.Can.can_id_broadcast",
	"FD": "Transport.Can.fd", "DATA_BITRATE": "Transport.Can.data_bitrate", "DAQ_IDENTIFIER": "Transport.Can.daq_identifier",
	"BYTESIZE": "Transport.SxI.bytesize", "PARITY": "Transport.SxI.parity", "STOPBITS": "Transport.SxI.stopbits",
	"HEADER_FORMAT": "Transport.SxI.header_format", "TAIL_FORMAT": "Transport.SxI.tail_format",
	"FRAMING": "Transport.SxI.framing", "ESC_SYNC": "Transport.SxI.esc_sync", "ESC_ESC": "Transport.SxI.esc_esc",
}

// legacySection maps legacy section names to the transport whose PORT,
// BITRATE (and HEADER_FORMAT) they mean.
var legacySection = map[string]string{"XCP": "", "GENERAL": "", "ETH": "Eth", "CAN": "Can", "SXI": "SxI", "SCI": "SxI", "USB": "Usb"}

// ConvertLegacy converts a pyXCP legacy TOML or JSON configuration. As
// pyXCP's own converter does, CAN_ID_MASTER becomes can_id_slave and
// CAN_ID_SLAVE can_id_master (pyXCP issue #130: legacy pyXCP sent on
// CAN_ID_SLAVE) unless keepCANIDs.
func ConvertLegacy(name string, data []byte, keepCANIDs bool) (*Conversion, error) {
	var top map[string]any
	isJSON := bytes.HasPrefix(bytes.TrimSpace(data), []byte("{"))
	if isJSON {
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		if err := d.Decode(&top); err != nil {
			return nil, fmt.Errorf("%s: not a JSON object: %w", name, err)
		}
		top = fromJSON(top).(map[string]any)
	} else if err := gotoml.Unmarshal(data, &top); err != nil {
		var de *gotoml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, fmt.Errorf("%s:%d:%d: %w", name, row, col, err)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c := &Conversion{Source: name}
	types := goxcpTypes()
	lines := newLineFinder(data, isJSON)
	layer := ""
	for _, sec := range []map[string]any{top, sub(top, "XCP"), sub(top, "GENERAL")} {
		if s, ok := sec["TRANSPORT"].(string); ok {
			layer = strings.ToUpper(s)
		}
	}
	type item struct {
		section, key string
		value        any
		line         int
	}
	var items []item
	for k, v := range top {
		if m, ok := v.(map[string]any); ok {
			for kk, vv := range m {
				items = append(items, item{k, kk, vv, lines.find(k, kk)})
			}
			continue
		}
		items = append(items, item{"", k, v, lines.find("", k)})
	}
	slices.SortFunc(items, func(a, b item) int { return a.line - b.line })
	for _, it := range items {
		key := strings.ToUpper(it.key)
		what := key
		if it.section != "" {
			what = "[" + it.section + "] " + key
		}
		transport, known := legacySection[strings.ToUpper(it.section)]
		if it.section != "" && !known {
			c.Problems = append(c.Problems, Problem{Line: it.line, What: what, Msg: "unknown section (XCP, ETH, CAN, SXI, USB)"})
			continue
		}
		if transport == "" {
			transport = map[string]string{"ETH": "Eth", "CAN": "Can", "SXI": "SxI", "USB": "Usb"}[layer]
		}
		py := legacyKeys[key]
		switch key {
		case "PORT":
			py = "Transport." + map[bool]string{true: "SxI", false: "Eth"}[transport == "SxI"] + ".port"
		case "BITRATE":
			py = "Transport." + map[bool]string{true: "SxI", false: "Can"}[transport == "SxI"] + ".bitrate"
		case "HEADER_FORMAT":
			if transport == "Usb" {
				py = "Transport.Usb.header_format"
			}
		case "CAN_ID_MASTER", "CAN_ID_SLAVE":
			py = "Transport.Can." + strings.ToLower(key)
			if !keepCANIDs {
				other := map[string]string{"CAN_ID_MASTER": "can_id_slave", "CAN_ID_SLAVE": "can_id_master"}[key]
				py = "Transport.Can." + other
				c.Notes = append(c.Notes, fmt.Sprintf("line %d: %s is written as %s, as pyXCP's converter does (legacy pyXCP sent commands on CAN_ID_SLAVE); keep them with KeepCANIDs (xcp config convert --keep-can-ids) if yours did not", it.line, key, other))
			}
		}
		if py == "" {
			c.Problems = append(c.Problems, Problem{Line: it.line, What: what, Msg: "unknown or python-can specific legacy key; no goxcp setting corresponds"})
			continue
		}
		c.add(types, it.line, what, py, it.value)
	}
	return c, nil
}

func sub(m map[string]any, k string) map[string]any {
	for kk, v := range m {
		if strings.EqualFold(kk, k) {
			if s, ok := v.(map[string]any); ok {
				return s
			}
		}
	}
	return nil
}

// fromJSON turns json.Number into int64 or float64.
func fromJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = fromJSON(e)
		}
	case []any:
		for i, e := range x {
			x[i] = fromJSON(e)
		}
	}
	return v
}

// lineFinder finds the line of a key in a legacy file by its text.
type lineFinder struct {
	lines  []string
	isJSON bool
}

func newLineFinder(data []byte, isJSON bool) *lineFinder {
	return &lineFinder{lines: strings.Split(string(data), "\n"), isJSON: isJSON}
}

func (f *lineFinder) find(section, key string) int {
	start := 0
	if section != "" {
		hdr := regexp.MustCompile(`^\s*\[\s*"?` + regexp.QuoteMeta(section) + `"?\s*\]`)
		if f.isJSON {
			hdr = regexp.MustCompile(`"` + regexp.QuoteMeta(section) + `"\s*:`)
		}
		for i, l := range f.lines {
			if hdr.MatchString(l) {
				start = i
				break
			}
		}
	}
	re := regexp.MustCompile(`^\s*"?` + regexp.QuoteMeta(key) + `"?\s*=`)
	if f.isJSON {
		re = regexp.MustCompile(`"` + regexp.QuoteMeta(key) + `"\s*:`)
	}
	for i := start; i < len(f.lines); i++ {
		if re.MatchString(f.lines[i]) {
			return i + 1
		}
	}
	return 0
}
