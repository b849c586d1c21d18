package master

import (
	"context"

	"github.com/goxcp/goxcp/protocol/xcp"
	"log/slog"
	"time"
)

// Timeouts are the XCP command timeouts t1…t7 (XCP 1.5 part 2). Zero
// values take the defaults of DefaultTimeouts.
type Timeouts struct {
	T1 time.Duration // standard command timeout
	T2 time.Duration // BUILD_CHECKSUM, and other long commands
	T3 time.Duration // PROGRAM_START
	T4 time.Duration // PROGRAM_CLEAR
	T5 time.Duration // PROGRAM, PROGRAM_NEXT, PROGRAM_MAX
	T6 time.Duration // CONNECT (user-defined mode), PROGRAM_RESET
	T7 time.Duration // wait after ERR_CMD_BUSY and other busy conditions
}

// DefaultTimeouts returns the customary values (t1 2 s, t7 200 ms, others 2 s).
func DefaultTimeouts() Timeouts {
	return Timeouts{T1: 2 * time.Second, T2: 2 * time.Second, T3: 2 * time.Second,
		T4: 2 * time.Second, T5: 2 * time.Second, T6: 2 * time.Second, T7: 200 * time.Millisecond}
}

func (t Timeouts) withDefaults() Timeouts {
	d := DefaultTimeouts()
	for _, p := range []struct{ v, d *time.Duration }{
		{&t.T1, &d.T1}, {&t.T2, &d.T2}, {&t.T3, &d.T3}, {&t.T4, &d.T4},
		{&t.T5, &d.T5}, {&t.T6, &d.T6}, {&t.T7, &d.T7}} {
		if *p.v <= 0 {
			*p.v = *p.d
		}
	}
	return t
}

// DefaultMaxRetries bounds the repetitions that the error-handling matrix
// asks for as "repeat infinite times".
const DefaultMaxRetries = 5

// Config configures a Master. The zero value is usable: default timeouts,
// DefaultMaxRetries, no logging, no seed & key.
type Config struct {
	Timeouts Timeouts
	// MaxRetries bounds every repetition of a command (0 = DefaultMaxRetries,
	// negative = no repetition at all).
	MaxRetries int
	// Logger receives protocol logs; at debug level every frame is traced.
	// Nil means silent.
	Logger *slog.Logger
	// Unlock computes keys for GET_SEED/UNLOCK. Nil means resources that
	// are locked stay locked (commands fail with ERR_ACCESS_LOCKED).
	Unlock KeyFunc
	// CommandDeadline bounds one command as a whole: every attempt the
	// error-handling matrix makes, its pre-actions (SYNCH, waits, unlock,
	// recoveries) and every EV_CMD_PENDING extension the slave asks for
	// (0 = DefaultCommandDeadline, 30 s; never less than the command's own
	// timeout, so one full attempt always fits). Past it the command fails
	// with an error naming it and the deadline, matching
	// ErrCommandDeadline, and is not repeated.
	CommandDeadline time.Duration
	// ConnectRetries bounds the repetitions of a CONNECT the slave does
	// not answer (0 = DefaultConnectRetries, 1; negative = none): with the
	// default t1 of 2 s a silent slave fails CONNECT after 4 s.
	ConnectRetries int
}

// DefaultCommandDeadline is the default Config.CommandDeadline.
const DefaultCommandDeadline = 30 * time.Second

// DefaultConnectRetries is the default Config.ConnectRetries.
const DefaultConnectRetries = 1

func (c *Config) commandDeadline() time.Duration {
	if c.CommandDeadline <= 0 {
		return DefaultCommandDeadline
	}
	return c.CommandDeadline
}

func (c *Config) connectRetries() int {
	switch {
	case c.ConnectRetries < 0:
		return 0
	case c.ConnectRetries == 0:
		return DefaultConnectRetries
	}
	return c.ConnectRetries
}

// KeyFunc computes the key for a seed. resource is the single resource bit
// being unlocked; seed is the complete (reassembled) seed.
type KeyFunc func(ctx context.Context, resource xcp.Resource, seed []byte) (key []byte, err error)
