package sxi

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"go.bug.st/serial"
)

// Config configures XCP on SxI: the serial line and the frame format.
// Names follow pyXCP's Transport.SxI settings. It is a plain Go struct: the
// configuration file's keys are mapped onto it by package config.
type Config struct {
	Port         string  // e.g. "/dev/ttyUSB0", "COM3"
	Bitrate      int     // 0 = 38400
	Bytesize     int     // 5..8, 0 = 8
	Parity       string  // N, E, O, M, S ("" = N)
	Stopbits     float64 // 1, 1.5, 2 (0 = 1)
	HeaderFormat string  // "" = HEADER_LEN_CTR_WORD
	TailFormat   string  // "" = NO_CHECKSUM
	Framing      bool    // XCP 1.5 SYNC/ESC framing
	EscSync      int     // SYNC character (default 0x01)
	EscEsc       int     // ESC character (default 0x00)
	MaxPacket    int     // bound on LEN (0 = header maximum)

	// Logger receives resynchronisation reports; nil = silent.
	Logger *slog.Logger
}

// FramingOf returns the frame format the configuration describes.
func (c Config) FramingOf() (Framing, error) {
	f := Framing{SyncEsc: c.Framing, MaxPacket: c.MaxPacket}
	var err error
	f.Header = LenCtrWord
	if c.HeaderFormat != "" {
		if f.Header, err = ParseHeaderFormat(c.HeaderFormat); err != nil {
			return f, err
		}
	}
	if c.TailFormat != "" {
		if f.Tail, err = ParseTailFormat(c.TailFormat); err != nil {
			return f, err
		}
	}
	if c.EscSync < 0 || c.EscSync > 255 || c.EscEsc < 0 || c.EscEsc > 255 {
		return f, fmt.Errorf("sxi: esc_sync/esc_esc must be 0..255, got %d/%d", c.EscSync, c.EscEsc)
	}
	f.Sync, f.Esc = byte(c.EscSync), byte(c.EscEsc)
	return f, f.Validate()
}

// Mode returns the serial line settings the configuration describes.
func (c Config) Mode() (*serial.Mode, error) {
	m := &serial.Mode{BaudRate: c.Bitrate, DataBits: c.Bytesize}
	if m.BaudRate == 0 {
		m.BaudRate = 38400
	}
	if m.BaudRate < 0 {
		return nil, fmt.Errorf("sxi: bitrate %d is negative", c.Bitrate)
	}
	if m.DataBits == 0 {
		m.DataBits = 8
	}
	if m.DataBits < 5 || m.DataBits > 8 {
		return nil, fmt.Errorf("sxi: bytesize %d is not 5..8", c.Bytesize)
	}
	switch strings.ToUpper(c.Parity) {
	case "", "N", "NONE":
		m.Parity = serial.NoParity
	case "E", "EVEN":
		m.Parity = serial.EvenParity
	case "O", "ODD":
		m.Parity = serial.OddParity
	case "M", "MARK":
		m.Parity = serial.MarkParity
	case "S", "SPACE":
		m.Parity = serial.SpaceParity
	default:
		return nil, fmt.Errorf("sxi: parity %q is not N, E, O, M or S", c.Parity)
	}
	switch c.Stopbits {
	case 0, 1:
		m.StopBits = serial.OneStopBit
	case 1.5:
		m.StopBits = serial.OnePointFiveStopBits
	case 2:
		m.StopBits = serial.TwoStopBits
	default:
		return nil, fmt.Errorf("sxi: stopbits %v is not 1, 1.5 or 2", c.Stopbits)
	}
	return m, nil
}

// Dial opens the serial port of cfg and starts XCP on SxI over it. The line
// is symmetric: a slave (the simulator) opens its side the same way.
func Dial(ctx context.Context, cfg Config) (*Conn, error) {
	if cfg.Port == "" {
		return nil, fmt.Errorf("sxi: no serial port configured (transport.sxi.port)")
	}
	f, err := cfg.FramingOf()
	if err != nil {
		return nil, err
	}
	mode, err := cfg.Mode()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	port, err := serial.Open(cfg.Port, mode)
	if err != nil {
		return nil, fmt.Errorf("sxi: open %s: %w", cfg.Port, err)
	}
	c, err := NewConn(port, f, Options{Name: cfg.Port, Logger: cfg.Logger})
	if err != nil {
		port.Close()
		return nil, err
	}
	return c, nil
}
