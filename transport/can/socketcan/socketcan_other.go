//go:build !linux

package socketcan

import (
	"context"
	"errors"
	"runtime"

	"github.com/goxcp/goxcp/transport/can"
)

var errNotLinux = errors.New("socketcan: SocketCAN is Linux-only, not supported on " + runtime.GOOS)

// Bus is a raw CAN socket (Linux only).
type Bus struct{}

// Open reports that SocketCAN is not supported on this system.
func Open(ctx context.Context, cfg Config) (*Bus, error) { return nil, errNotLinux }

// Send implements can.Bus.
func (b *Bus) Send(context.Context, can.Frame) error { return errNotLinux }

// Receive implements can.Bus.
func (b *Bus) Receive(context.Context) (can.Frame, error) { return can.Frame{}, errNotLinux }

// Close implements can.Bus.
func (b *Bus) Close() error { return nil }

// Interfaces returns nil: no SocketCAN here.
func Interfaces() []string { return nil }

// Available reports that SocketCAN is Linux-only.
func Available() (bool, string) { return false, errNotLinux.Error() }
