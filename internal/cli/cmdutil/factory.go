package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/master"
	"github.com/goxcp/goxcp/transport/can"
)

// GlobalOptions are the values of the global flags (set by the root
// command). They override the configuration file where the flag was given.
type GlobalOptions struct {
	ConfigFile string        // --config
	Transport  string        // -t/--transport: eth, can, sxi, usb
	Host       string        // --host
	Port       int           // --port
	Protocol   string        // --protocol: tcp, udp
	IPv6       bool          // --ipv6
	Timeout    time.Duration // --timeout: connection and command timeout (t1)
	// CommandDeadline is --command-deadline (general.command_deadline).
	CommandDeadline time.Duration
	LogLevel        string        // --log-level: debug, info, warn, error, off
	Sim             bool          // --sim: connect to an embedded simulator
	A2L             A2LOptions    // --a2l, --a2l-from-slave
	CAN             CANOptions    // --can-interface, --channel, --can-bitrate, …
	Serial          SerialOptions // --serial-port, --baudrate
}

// CANOptions are the global CAN flags; they override [transport.can].
type CANOptions struct {
	Interface            string // --can-interface: virtual, udp, socketcan, slcan, user
	Channel              string // --channel: can0, /dev/ttyACM0, GROUP:PORT[@IF]
	Bitrate, DataBitrate int    // --can-bitrate, --can-data-bitrate (bit/s)
	FD, BRS              bool   // --fd, --brs
	Master, Slave, Bcast string // --can-id-master, --can-id-slave, --can-id-broadcast
	Extended             bool   // --can-extended: the --can-id-* values are 29-bit
	MaxDLCRequired       bool   // --max-dlc-required
	PaddingValue         uint8  // --padding-value
	MaxFDLen             int    // --max-can-fd-dlc
}

// SerialOptions are the global SxI flags; they override [transport.sxi].
type SerialOptions struct {
	Port     string // --serial-port
	Baudrate int    // --baudrate
}

// ParseCANID reads a CAN identifier flag value: decimal or 0x hex, bit 31
// set (or extended) for a 29-bit identifier. It returns the A2L/pyXCP
// encoding (bit 31 for 29-bit identifiers).
func ParseCANID(flag, s string, extended bool) (uint32, error) {
	v, err := strconv.ParseUint(strings.TrimSpace(s), 0, 32)
	if err != nil {
		return 0, UsageErrorf("--%s: not a CAN identifier (decimal or 0x hex): %q", flag, s)
	}
	id, err := can.ParseID(uint32(v))
	if err != nil {
		return 0, UsageErrorf("--%s: %s", flag, strings.TrimPrefix(err.Error(), "can: "))
	}
	if extended && v != 0 {
		id.Extended = true
	}
	return id.Raw(), nil
}

// canFlags and serialFlags are the global flags of one transport layer.
var (
	canFlags    = []string{"can-interface", "channel", "can-bitrate", "can-data-bitrate", "fd", "brs", "can-id-master", "can-id-slave", "can-id-broadcast", "can-extended", "max-dlc-required", "padding-value", "max-can-fd-dlc"}
	serialFlags = []string{"serial-port", "baudrate"}
)

// Factory gives subcommands what they need, created lazily: streams,
// configuration, logger and a connection to the slave. One Factory serves
// one command invocation. Config, Logger and Connect may be called from
// several goroutines; the fields are set up before the command runs.
type Factory struct {
	IO *IOStreams

	// Global holds the global flags; Changed reports whether the named
	// global flag was given on the command line (nil: none was).
	Global  GlobalOptions
	Changed func(flag string) bool

	// Getenv reads environment variables (XCP_CONFIG, XCP_LOGLEVEL);
	// os.Getenv in the binary, a map in tests.
	Getenv func(string) string

	cfgMu  sync.Mutex // guards cfg, cfgErr
	cfg    *config.Config
	cfgErr error
	logMu  sync.Mutex // guards log
	log    *slog.Logger
	// a2lAddr says which address settings came from --a2l's IF_DATA
	// ("" = none), for error messages.
	a2lAddr string
}

// New returns a Factory on the given streams reading the process
// environment.
func New(io *IOStreams) *Factory {
	return &Factory{IO: io, Getenv: os.Getenv}
}

func (f *Factory) changed(flag string) bool { return f.Changed != nil && f.Changed(flag) }

func (f *Factory) getenv(k string) string {
	if f.Getenv == nil {
		return ""
	}
	return f.Getenv(k)
}

// Config returns the configuration: the file found by config.Find (--config,
// XCP_CONFIG, ./xcp.toml, the user config dir) or config.Default(), then
// XCP_LOGLEVEL, then the global flags that were given. It is loaded once;
// errors name the file and key (or the flag).
func (f *Factory) Config() (*config.Config, error) {
	f.cfgMu.Lock()
	defer f.cfgMu.Unlock()
	if f.cfg != nil || f.cfgErr != nil {
		return f.cfg, f.cfgErr
	}
	f.cfg, f.cfgErr = f.loadConfig()
	return f.cfg, f.cfgErr
}

// looksLikePython reports whether the file at path reads like a pyXCP
// traitlets configuration ("c = get_config()", "c.Transport.…").
func looksLikePython(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if strings.Contains(l, "get_config()") || strings.HasPrefix(l, "c.Transport.") || strings.HasPrefix(l, "c.General.") {
			return true
		}
	}
	return false
}

func (f *Factory) loadConfig() (*config.Config, error) {
	path, origin, err := config.Locate(f.Global.ConfigFile, f.getenv)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	c := config.Default()
	if path != "" {
		if strings.EqualFold(filepath.Ext(path), ".py") || looksLikePython(path) {
			// pyXCP's configuration is a Python program: goxcp never runs
			// it, but translates it once.
			return nil, UsageErrorf("%s is a pyXCP (Python) configuration; goxcp reads TOML: convert it once with 'xcp config convert %s -o xcp.toml' and pass --config xcp.toml", path, path)
		}
		if c, err = config.Load(path); err != nil {
			return nil, err
		}
		// A file found in the working directory may not start programs
		// unless the user trusted it (xcp config trust).
		if err := c.SetOrigin(origin); err != nil {
			return nil, err
		}
	}
	if lv := f.getenv("XCP_LOGLEVEL"); lv != "" {
		c.Logging.Level = lv
		if err := c.Logging.Validate(); err != nil {
			return nil, UsageErrorf("XCP_LOGLEVEL: %s", strings.TrimPrefix(err.Error(), "level: "))
		}
	}
	g := f.Global
	var idErr error
	canID := func(flag, s string, dst *uint32) func() {
		return func() {
			v, err := ParseCANID(flag, s, g.CAN.Extended)
			if err != nil {
				idErr = err
				return
			}
			*dst = v
		}
	}
	k := &c.Transport.Can
	for _, o := range []struct {
		flag  string
		apply func()
	}{
		{"transport", func() { c.Transport.Layer = strings.ToLower(g.Transport) }},
		{"host", func() { c.Transport.Eth.Host = g.Host }},
		{"port", func() { c.Transport.Eth.Port = g.Port }},
		{"protocol", func() { c.Transport.Eth.Protocol = strings.ToLower(g.Protocol) }},
		{"can-interface", func() { k.Interface = strings.ToLower(g.CAN.Interface) }},
		{"channel", func() { k.Channel = g.CAN.Channel }},
		{"can-bitrate", func() { k.Bitrate = g.CAN.Bitrate }},
		{"can-data-bitrate", func() { k.DataBitrate = g.CAN.DataBitrate }},
		{"fd", func() { k.FD = g.CAN.FD }},
		{"brs", func() { k.BRS = g.CAN.BRS }},
		{"can-id-master", canID("can-id-master", g.CAN.Master, &k.CanIDMaster)},
		{"can-id-slave", canID("can-id-slave", g.CAN.Slave, &k.CanIDSlave)},
		{"can-id-broadcast", canID("can-id-broadcast", g.CAN.Bcast, &k.CanIDBroadcast)},
		{"can-extended", func() {
			if !g.CAN.Extended {
				return
			}
			for _, id := range []*uint32{&k.CanIDMaster, &k.CanIDSlave, &k.CanIDBroadcast} {
				if *id != 0 {
					*id |= can.ExtendedFlag
				}
			}
		}},
		{"max-dlc-required", func() { k.MaxDLCRequired = g.CAN.MaxDLCRequired }},
		{"padding-value", func() { k.PaddingValue = g.CAN.PaddingValue }},
		{"max-can-fd-dlc", func() { k.MaxFDLen = g.CAN.MaxFDLen }},
		{"serial-port", func() { c.Transport.Sxi.Port = g.Serial.Port }},
		{"baudrate", func() { c.Transport.Sxi.Bitrate = g.Serial.Baudrate }},
		{"ipv6", func() { c.Transport.Eth.IPv6 = g.IPv6 }},
		{"timeout", func() { c.Transport.Timeout, c.General.T1 = g.Timeout, g.Timeout }},
		{"command-deadline", func() { c.General.CommandDeadline = g.CommandDeadline }},
		{"log-level", func() { c.Logging.Level = g.LogLevel }},
	} {
		if !f.changed(o.flag) {
			continue
		}
		saved := c.File
		c.File = ""
		o.apply()
		if idErr != nil {
			return nil, idErr
		}
		err := c.Validate()
		c.File = saved
		var fe *config.FieldError
		if errors.As(err, &fe) {
			return nil, UsageErrorf("--%s: %s", o.flag, fe.Msg)
		} else if err != nil {
			return nil, err
		}
	}
	l := c.Transport.Layer
	if l == "" {
		l = config.DefaultLayer
	}
	for _, tf := range []struct {
		layer, name string
		flags       []string
	}{
		{"eth", "the Ethernet transport (eth)", []string{"host", "port", "protocol", "ipv6"}},
		{"can", "the CAN transport (-t can)", canFlags},
		{"sxi", "the SxI transport (-t sxi)", serialFlags},
	} {
		if l == tf.layer {
			continue
		}
		for _, flag := range tf.flags {
			if f.changed(flag) {
				return nil, UsageErrorf("--%s applies only to %s, not to transport %q", flag, tf.name, l)
			}
		}
	}
	if err := f.applyA2L(c); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Logger returns the logger for the command: text to ErrOut at the level of
// --log-level, XCP_LOGLEVEL or [logging] level; silent by default (and if
// the configuration cannot be loaded — Config reports that error).
func (f *Factory) Logger() *slog.Logger {
	f.logMu.Lock()
	defer f.logMu.Unlock()
	if f.log != nil {
		return f.log
	}
	level := ""
	if c, err := f.Config(); err == nil {
		level = c.Logging.Level
	}
	f.log = NewLogger(f.IO.ErrOut, level)
	return f.log
}

// NewLogger returns a text logger writing to w at the named level ("debug",
// "info", "warn", "error"); "", "off" or anything else is silent.
func NewLogger(w interface{ Write([]byte) (int, error) }, level string) *slog.Logger {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "info":
		l = slog.LevelInfo
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// Connect opens the configured transport (or, with --sim, starts an
// embedded simulator and connects to it) with connect.Open. The returned
// function sends DISCONNECT, closes the connection and stops the embedded
// simulator; call it exactly once.
func (f *Factory) Connect(ctx context.Context) (*master.Master, func() error, error) {
	c, err := f.Config()
	if err != nil {
		return nil, nil, err
	}
	s, err := connect.Open(ctx, c, connect.Options{Logger: f.Logger(), Simulator: f.Global.Sim})
	if err != nil {
		if f.a2lAddr != "" {
			return nil, nil, fmt.Errorf("%w (%s; set host/port with flags or in the configuration file to override)", err, f.a2lAddr)
		}
		return nil, nil, err
	}
	return s.Master, s.Close, nil
}

// OpenCANBus opens the configured CAN interface without a protocol on top
// (with --sim: a port on a simulator's virtual bus), see connect.OpenCANBus.
func (f *Factory) OpenCANBus(ctx context.Context) (*connect.CANBus, error) {
	c, err := f.Config()
	if err != nil {
		return nil, err
	}
	return connect.OpenCANBus(ctx, c, connect.Options{Logger: f.Logger(), Simulator: f.Global.Sim})
}
