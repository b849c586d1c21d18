// Package config holds goxcp's settings: the plain Go structs programs fill
// in directly, and the loader that reads them from a TOML file with the
// hierarchy pyXCP users know:
//
//	[transport]
//	layer   = "eth"      # eth | can | sxi | usb
//	timeout = "2s"       # connection and response timeout
//
//	[transport.eth]
//	host     = "localhost"
//	port     = 5555
//	protocol = "tcp"     # tcp | udp
//	ipv6     = false
//	bind     = ""        # local address to bind to (optional)
//	recv_buffer = 0      # socket receive buffer in bytes (0 = 4 MiB for UDP)
//
//	[general]
//	max_retries        = 5
//	seed_n_key_command = "./mykey"   # gets resource and seed as hex, prints the key as hex
//	t1 = "2s"                        # … t7: XCP command timeouts
//	command_deadline = "30s"         # bound of one command with all its repetitions
//
//	[logging]
//	level = "warn"        # debug | info | warn | error | off
//
// Every struct has a useful zero value: an empty field means "the default"
// (see Default). Durations are written as Go duration strings ("250ms",
// "2s") or as a number of seconds (2, 0.5).
//
// Adding a section: add a struct with koanf tags and a Validate method that
// returns *FieldError values with keys relative to the section, add a field
// to its parent, and one line to the parent's Validate. Unknown keys are
// detected from the struct tags automatically. The transport sections are
// the transport packages' own Config structs, which carry no tags: their
// file keys are listed in filekeys.go.
package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/goxcp/goxcp/transport/can"
	"github.com/goxcp/goxcp/transport/eth"
	"github.com/goxcp/goxcp/transport/sxi"
	"github.com/goxcp/goxcp/transport/usb"
)

// Config is the complete configuration.
type Config struct {
	Transport Transport `koanf:"transport"`
	General   General   `koanf:"general"`
	Logging   Logging   `koanf:"logging"`

	// File is the file the configuration was loaded from ("" if none).
	File string `koanf:"-"`
	// Trusted says that programs named in the configuration
	// (general.seed_n_key_command) may run: set by Load (the caller named
	// the file) and by SetOrigin; false after Parse. CheckPrograms
	// refuses a program without it.
	Trusted bool `koanf:"-"`
	// Origin is how the file was found (SetOrigin).
	Origin Origin `koanf:"-"`
}

// Transport selects and configures the transport layer ([transport]).
type Transport struct {
	// Layer is the transport: "eth" (default), "can", "sxi" or "usb".
	Layer string `koanf:"layer"`
	// Timeout bounds opening the connection and is the response timeout
	// (t1) unless General.T1 is set. 0 = 2 s.
	Timeout time.Duration `koanf:"timeout"`
	// Eth configures XCP on Ethernet ([transport.eth]): host, port,
	// protocol, ipv6, bind, recv_buffer.
	Eth eth.Config `koanf:"eth"`
	// Can configures XCP on CAN / CAN FD ([transport.can]): interface,
	// channel, can_id_master, can_id_slave, can_id_broadcast, fd, …
	// (see transports.go).
	Can can.Config `koanf:"can"`
	// Sxi configures XCP on SxI ([transport.sxi]): port, bitrate,
	// header_format, tail_format, framing, …
	Sxi sxi.Config `koanf:"sxi"`
	// Usb configures XCP on USB ([transport.usb]): vendor_id, product_id,
	// interface and endpoint numbers, header_format.
	Usb usb.Config `koanf:"usb"`
}

// General holds protocol settings ([general]).
type General struct {
	// MaxRetries bounds how often a command is repeated by the XCP
	// error-handling matrix. 0 = the master's default (5); negative = never.
	MaxRetries int `koanf:"max_retries"`
	// SeedNKeyCommand is an external program computing keys: it is run
	// with the resource name and the seed as hex arguments and prints the
	// key as hex. "" = no seed & key.
	SeedNKeyCommand string `koanf:"seed_n_key_command"`
	// T1…T7 are the XCP timeouts (0 = default: t1…t6 2 s, t7 200 ms).
	T1 time.Duration `koanf:"t1"`
	T2 time.Duration `koanf:"t2"`
	T3 time.Duration `koanf:"t3"`
	T4 time.Duration `koanf:"t4"`
	T5 time.Duration `koanf:"t5"`
	T6 time.Duration `koanf:"t6"`
	T7 time.Duration `koanf:"t7"`
	// CommandDeadline bounds one command as a whole: all its attempts,
	// error-handling pre-actions and EV_CMD_PENDING extensions (0 = the
	// master's default, 30 s).
	CommandDeadline time.Duration `koanf:"command_deadline"`
}

// Logging configures the log output ([logging]).
type Logging struct {
	// Level is "debug", "info", "warn", "error" or "off"; "" = off.
	// At "debug" every XCP frame is traced.
	Level string `koanf:"level"`
}

// Defaults applied to zero fields.
const (
	DefaultLayer    = "eth"
	DefaultHost     = "localhost"
	DefaultPort     = 5555
	DefaultProtocol = "tcp"
	DefaultTimeout  = 2 * time.Second
)

// Default returns the configuration used when no file is found, with the
// defaults written out.
func Default() *Config {
	return &Config{
		Transport: Transport{
			Layer:   DefaultLayer,
			Timeout: DefaultTimeout,
			Eth:     eth.Config{Host: DefaultHost, Port: DefaultPort, Protocol: DefaultProtocol},
		},
	}
}

// FieldError is a bad setting: the file it came from (if any), the full key
// ("transport.eth.port") and what is wrong with it.
type FieldError struct {
	File string
	Key  string
	Msg  string
}

func (e *FieldError) Error() string {
	if e.File != "" {
		return e.File + ": " + e.Key + ": " + e.Msg
	}
	return e.Key + ": " + e.Msg
}

// fieldErr returns a *FieldError for key with a formatted message.
func fieldErr(key, format string, args ...any) error {
	return &FieldError{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// under prefixes the key of a *FieldError with the section name.
func under(section string, err error) error {
	var fe *FieldError
	if errors.As(err, &fe) {
		fe.Key = section + "." + fe.Key
	}
	return err
}

// Validate checks every section and returns the first problem as a
// *FieldError naming the key (and c.File, if set).
func (c *Config) Validate() error {
	for _, s := range []struct {
		name string
		v    interface{ Validate() error }
	}{
		{"transport", c.Transport},
		{"general", c.General},
		{"logging", c.Logging},
	} {
		if err := s.v.Validate(); err != nil {
			err = under(s.name, err)
			var fe *FieldError
			if errors.As(err, &fe) && fe.File == "" {
				fe.File = c.File
			}
			return err
		}
	}
	return nil
}

// Layers are the valid values of Transport.Layer.
var layers = []string{"eth", "can", "sxi", "usb"}

// Validate checks the [transport] section.
func (t Transport) Validate() error {
	if t.Layer != "" && !slices.Contains(layers, t.Layer) {
		return fieldErr("layer", "must be one of %s, got %q", strings.Join(layers, ", "), t.Layer)
	}
	if t.Timeout < 0 {
		return fieldErr("timeout", "must not be negative, got %s", t.Timeout)
	}
	if err := under("eth", validateEth(t.Eth)); err != nil {
		return err
	}
	return t.validateOthers()
}

// validateEth checks the [transport.eth] section.
func validateEth(e eth.Config) error {
	if e.Port < 0 || e.Port > 65535 {
		return fieldErr("port", "must be 1..65535, got %d", e.Port)
	}
	if e.Protocol != "" && e.Protocol != "tcp" && e.Protocol != "udp" {
		return fieldErr("protocol", "must be tcp or udp, got %q", e.Protocol)
	}
	if strings.ContainsAny(e.Host, " \t/") {
		return fieldErr("host", "not a host name or address: %q", e.Host)
	}
	if e.RecvBuffer < 0 {
		return fieldErr("recv_buffer", "must not be negative, got %d", e.RecvBuffer)
	}
	return e.Validate()
}

// Validate checks the [general] section.
func (g General) Validate() error {
	for _, t := range []struct {
		key string
		d   time.Duration
	}{{"t1", g.T1}, {"t2", g.T2}, {"t3", g.T3}, {"t4", g.T4}, {"t5", g.T5}, {"t6", g.T6}, {"t7", g.T7}, {"command_deadline", g.CommandDeadline}} {
		if t.d < 0 {
			return fieldErr(t.key, "must not be negative, got %s", t.d)
		}
	}
	if g.MaxRetries > 1000 {
		return fieldErr("max_retries", "must be at most 1000, got %d", g.MaxRetries)
	}
	return nil
}

// LogLevels are the valid values of Logging.Level.
var logLevels = []string{"debug", "info", "warn", "error", "off"}

// Validate checks the [logging] section.
func (l Logging) Validate() error {
	if l.Level != "" && !slices.Contains(logLevels, strings.ToLower(l.Level)) {
		return fieldErr("level", "must be one of %s, got %q", strings.Join(logLevels, ", "), l.Level)
	}
	return nil
}
