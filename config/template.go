package config

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/knadh/koanf/parsers/toml/v2"
	"github.com/knadh/koanf/v2"
)

// Setting is one leaf setting of a Config: its dotted key, its value and
// what it means.
type Setting struct {
	Key   string // "transport.eth.port"
	Value any    // the field's value (time.Duration, string, int, bool, …)
	Doc   string // one line: what it means and the default
}

// Settings returns every leaf setting of c in declaration order (the keys
// a TOML file may set).
func Settings(c *Config) []Setting {
	var out []Setting
	walk(reflect.ValueOf(c).Elem(), "", func(key string, v reflect.Value) {
		out = append(out, Setting{Key: key, Value: v.Interface(), Doc: docs[key]})
	})
	return out
}

func walk(v reflect.Value, prefix string, leaf func(string, reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		key, in := fileKey(t, f)
		switch {
		case key == "":
		case in:
			walk(v.Field(i), prefix, leaf)
		case isSection(f.Type):
			walk(v.Field(i), prefix+key+".", leaf)
		default:
			leaf(prefix+key, v.Field(i))
		}
	}
}

// FormatValue renders a setting's value as a TOML value: durations as
// strings ("2s"), strings quoted, lists in brackets.
func FormatValue(v any) string {
	switch x := v.(type) {
	case time.Duration:
		return quote(x.String())
	case string:
		return quote(x)
	case float32, float64:
		s := fmt.Sprint(x)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return s
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice {
		parts := make([]string, rv.Len())
		for i := range parts {
			parts[i] = FormatValue(rv.Index(i).Interface())
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// quote writes s as a TOML basic string (invalid UTF-8 becomes U+FFFD).
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7F:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Template returns a complete TOML configuration file: every setting with
// its default value (Default()) and a comment saying what it means. It is
// generated from the Config structs, so it always lists every key; loading
// it gives Default().
func Template() []byte {
	var b strings.Builder
	b.WriteString("# goxcp configuration (xcp.toml): every setting with its default value.\n")
	b.WriteString("# Durations are Go duration strings (\"250ms\", \"2s\") or numbers of seconds.\n")
	b.WriteString("# Delete what you do not change; an absent key means its default.\n")
	section := ""
	for _, s := range Settings(Default()) {
		sec, name := "", s.Key
		if i := strings.LastIndexByte(s.Key, '.'); i >= 0 {
			sec, name = s.Key[:i], s.Key[i+1:]
		}
		if sec != section {
			section = sec
			fmt.Fprintf(&b, "\n[%s]\n", sec)
			if d := docs[sec]; d != "" {
				fmt.Fprintf(&b, "# %s\n", d)
			}
		}
		if s.Doc != "" {
			fmt.Fprintf(&b, "\n# %s\n", s.Doc)
		}
		fmt.Fprintf(&b, "%s = %s\n", name, FormatValue(s.Value))
	}
	return []byte(b.String())
}

// FileKeys returns the dotted keys TOML data sets (for reporting where a
// setting came from). It does not validate.
func FileKeys(data []byte) ([]string, error) {
	k := koanf.New(".")
	if err := k.Load(bytesProvider(data), toml.Parser()); err != nil {
		return nil, err
	}
	return k.Keys(), nil
}

// docs describes every section and leaf key (TestTemplateDocumentsEveryKey
// keeps it complete).
var docs = map[string]string{
	"transport":                          "Transport layer selection.",
	"transport.layer":                    "eth | can | sxi | usb",
	"transport.timeout":                  "Connection timeout; also the response timeout t1 unless general.t1 is set.",
	"transport.eth":                      "XCP on Ethernet.",
	"transport.eth.protocol":             "tcp | udp",
	"transport.eth.host":                 "Slave host name or address.",
	"transport.eth.port":                 "Slave port.",
	"transport.eth.ipv6":                 "Use IPv6.",
	"transport.eth.bind":                 "Local address to send from (\"\" = any).",
	"transport.eth.recv_buffer":          "Socket receive buffer in bytes (0 = 4 MiB for UDP, the system default for TCP).",
	"transport.can":                      "XCP on CAN / CAN FD.",
	"transport.can.interface":            "virtual | udp | socketcan | slcan | user",
	"transport.can.channel":              "Backend channel: can0, /dev/ttyACM0, GROUP:PORT[@IFNAME], a virtual bus name.",
	"transport.can.bitrate":              "Nominal bitrate in bit/s (0 = the backend's setting).",
	"transport.can.data_bitrate":         "CAN FD data phase bitrate in bit/s.",
	"transport.can.fd":                   "Use CAN FD frames.",
	"transport.can.brs":                  "CAN FD bit rate switch (needs fd = true).",
	"transport.can.can_id_master":        "Identifier master -> slave (CMD/STIM); bit 31 set = 29-bit identifier.",
	"transport.can.can_id_slave":         "Identifier slave -> master (RES/ERR/EV/SERV/DAQ).",
	"transport.can.can_id_broadcast":     "Broadcast identifier for GET_SLAVE_ID (0 = none).",
	"transport.can.max_dlc_required":     "Pad every frame to 8 bytes (CAN FD: max_can_fd_dlc).",
	"transport.can.padding_value":        "Fill byte for padding.",
	"transport.can.max_can_fd_dlc":       "Largest CAN FD frame length used: 8, 12, 16, 20, 24, 32, 48 or 64 (0 = 64).",
	"transport.can.daq_identifier":       "DAQ-list-specific slave identifiers, one per DAQ list (empty = can_id_slave).",
	"transport.can.sample_point":         "Arbitration phase sample point in percent, e.g. 87.5 (0 = the interface's; SocketCAN: set on the interface).",
	"transport.can.sjw_abr":              "Arbitration phase synchronisation jump width in time quanta (0 = the interface's).",
	"transport.can.tseg1_abr":            "Arbitration phase TSEG1 in time quanta (0 = the interface's).",
	"transport.can.tseg2_abr":            "Arbitration phase TSEG2 in time quanta (0 = the interface's).",
	"transport.can.data_sample_point":    "CAN FD data phase sample point in percent (0 = the interface's).",
	"transport.can.sjw_dbr":              "CAN FD data phase SJW in time quanta (0 = the interface's).",
	"transport.can.tseg1_dbr":            "CAN FD data phase TSEG1 in time quanta (0 = the interface's).",
	"transport.can.tseg2_dbr":            "CAN FD data phase TSEG2 in time quanta (0 = the interface's).",
	"transport.sxi":                      "XCP on SxI (serial).",
	"transport.sxi.port":                 "Serial device, e.g. /dev/ttyUSB0 or COM3.",
	"transport.sxi.bitrate":              "Bit/s (0 = 38400).",
	"transport.sxi.bytesize":             "Data bits 5..8 (0 = 8).",
	"transport.sxi.parity":               "N | E | O | M | S (\"\" = N).",
	"transport.sxi.stopbits":             "1, 1.5 or 2 (0 = 1).",
	"transport.sxi.header_format":        "HEADER_LEN_BYTE | HEADER_LEN_CTR_BYTE | HEADER_LEN_FILL_BYTE | HEADER_LEN_WORD | HEADER_LEN_CTR_WORD | HEADER_LEN_FILL_WORD (\"\" = HEADER_LEN_CTR_WORD).",
	"transport.sxi.tail_format":          "NO_CHECKSUM | CHECKSUM_BYTE | CHECKSUM_WORD (\"\" = NO_CHECKSUM).",
	"transport.sxi.framing":              "XCP 1.5 SYNC/ESC framing.",
	"transport.sxi.esc_sync":             "SYNC character of the framing (0 = 0x01).",
	"transport.sxi.esc_esc":              "ESC character of the framing (0x00).",
	"transport.sxi.max_packet":           "Largest LEN accepted (0 = the header's maximum).",
	"transport.usb":                      "XCP on USB.",
	"transport.usb.vendor_id":            "USB vendor id.",
	"transport.usb.product_id":           "USB product id.",
	"transport.usb.serial_number":        "Device serial number (\"\" = the first matching device).",
	"transport.usb.configuration_number": "USB configuration number.",
	"transport.usb.interface_number":     "USB interface number.",
	"transport.usb.out_ep_number":        "Bulk OUT endpoint number (CMD/STIM), 1..15.",
	"transport.usb.in_ep_number":         "Bulk IN endpoint number (RES/ERR/EV/SERV/DAQ), 1..15.",
	"transport.usb.header_format":        "As transport.sxi.header_format (\"\" = HEADER_LEN_CTR_WORD).",
	"transport.usb.max_transfer":         "Largest bulk transfer in bytes (0 = the default).",
	"general":                            "Protocol settings.",
	"general.max_retries":                "Bound for repetitions by the XCP error-handling matrix (0 = 5, negative = never).",
	"general.seed_n_key_command":         "Key program: called with the resource and the seed as hex, prints the key as hex (\"\" = none).",
	"general.t1":                         "XCP timeout t1: command response (0 = transport.timeout, else 2s).",
	"general.t2":                         "XCP timeout t2 (0 = 2s).",
	"general.t3":                         "XCP timeout t3 (0 = 2s).",
	"general.t4":                         "XCP timeout t4 (0 = 2s).",
	"general.t5":                         "XCP timeout t5 (0 = 2s).",
	"general.t6":                         "XCP timeout t6 (0 = 2s).",
	"general.t7":                         "XCP timeout t7: wait before repeating (0 = 200ms).",
	"general.command_deadline":           "Bound of one command with all its repetitions, pre-actions and EV_CMD_PENDING extensions (0 = 30s).",
	"logging":                            "Log output (stderr).",
	"logging.level":                      "debug | info | warn | error | off (\"\" = off); debug traces every frame.",
}
