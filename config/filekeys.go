package config

import (
	"reflect"
	"strings"
	"time"

	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/eth"
	"github.com/goxcp/goxcp/transport/sxi"
	"github.com/goxcp/goxcp/transport/usb"
)

// The transport packages' settings (eth.Config, can.Config, sxi.Config,
// usb.Config) are plain Go structs without file tags: the file format is
// this package's business. fileKeys maps their fields to the keys of the
// configuration file (pyXCP's names). A field not listed here is not a
// file setting (loggers, a program's own CAN bus); TestFileKeysCoverFields
// keeps the table complete. The structs of this package carry koanf tags.
var fileKeys = map[reflect.Type]map[string]string{
	reflect.TypeFor[eth.Config](): {
		"Protocol": "protocol", "Host": "host", "Port": "port", "IPv6": "ipv6",
		"Bind": "bind", "RecvBuffer": "recv_buffer",
	},
	reflect.TypeFor[can.Config](): {
		"Interface": "interface", "Channel": "channel", "Bitrate": "bitrate", "DataBitrate": "data_bitrate",
		"FD": "fd", "BRS": "brs", "CanIDMaster": "can_id_master", "CanIDSlave": "can_id_slave",
		"CanIDBroadcast": "can_id_broadcast", "MaxDLCRequired": "max_dlc_required",
		"PaddingValue": "padding_value", "MaxFDLen": "max_can_fd_dlc", "DaqIdentifiers": "daq_identifier",
		"Timing": inline,
	},
	reflect.TypeFor[can.Timing](): {
		"SamplePoint": "sample_point", "SJW": "sjw_abr", "TSeg1": "tseg1_abr", "TSeg2": "tseg2_abr",
		"DataSamplePoint": "data_sample_point", "DataSJW": "sjw_dbr", "DataTSeg1": "tseg1_dbr", "DataTSeg2": "tseg2_dbr",
	},
	reflect.TypeFor[sxi.Config](): {
		"Port": "port", "Bitrate": "bitrate", "Bytesize": "bytesize", "Parity": "parity", "Stopbits": "stopbits",
		"HeaderFormat": "header_format", "TailFormat": "tail_format", "Framing": "framing",
		"EscSync": "esc_sync", "EscEsc": "esc_esc", "MaxPacket": "max_packet",
	},
	reflect.TypeFor[usb.Config](): {
		"VendorID": "vendor_id", "ProductID": "product_id", "SerialNumber": "serial_number",
		"Configuration": "configuration_number", "Interface": "interface_number",
		"OutEndpoint": "out_ep_number", "InEndpoint": "in_ep_number", "HeaderFormat": "header_format",
		"MaxTransfer": "max_transfer",
	},
}

// inline marks a struct field whose fields are keys of the enclosing
// section (can.Config.Timing: sjw_abr, … sit in [transport.can]).
const inline = "*"

// fileKey returns the file key of field f of struct type t ("" = not a
// setting) and whether its fields belong to the enclosing section.
func fileKey(t reflect.Type, f reflect.StructField) (key string, isInline bool) {
	if m, ok := fileKeys[t]; ok {
		k := m[f.Name]
		return k, k == inline
	}
	tag := f.Tag.Get("koanf")
	if tag == "-" {
		return "", false
	}
	return tag, false
}

// isSection reports whether values of t are sections (tables) rather than
// leaf settings.
func isSection(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t != reflect.TypeFor[time.Duration]()
}

// fieldPaths maps every leaf file key of t to the path of Go field names
// that holds it ("transport.can.max_can_fd_dlc" → "Transport.Can.MaxFDLen").
func fieldPaths(t reflect.Type, keyPrefix, goPrefix string, out map[string]string) map[string]string {
	if out == nil {
		out = map[string]string{}
	}
	for f := range t.Fields() {
		key, in := fileKey(t, f)
		switch {
		case key == "":
		case in:
			fieldPaths(f.Type, keyPrefix, goPrefix+f.Name+".", out)
		case isSection(f.Type):
			fieldPaths(f.Type, keyPrefix+key+".", goPrefix+f.Name+".", out)
		default:
			out[keyPrefix+key] = goPrefix + f.Name
		}
	}
	return out
}

// byFieldPath turns flat file keys into a nested map keyed by Go field
// names, which the decoder matches without tags.
func byFieldPath(flat map[string]any, paths map[string]string) map[string]any {
	root := map[string]any{}
	for key, v := range flat {
		p, ok := paths[key]
		if !ok {
			continue // (unknown keys are refused before decoding)
		}
		parts := strings.Split(p, ".")
		m := root
		for _, part := range parts[:len(parts)-1] {
			sub, ok := m[part].(map[string]any)
			if !ok {
				sub = map[string]any{}
				m[part] = sub
			}
			m = sub
		}
		m[parts[len(parts)-1]] = v
	}
	return root
}
