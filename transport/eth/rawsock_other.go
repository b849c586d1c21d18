//go:build !linux

package eth

import (
	"errors"
	"net"
	"syscall"
	"time"
)

// rawSock exists on Linux only; elsewhere a master's socket stays with
// Go's netpoller.
type rawSock struct{}

func newRawSock(interface {
	net.Conn
	syscall.Conn
}) (*rawSock, error) {
	return nil, errors.ErrUnsupported
}

func (*rawSock) setReadDeadline(time.Time) error  { return nil }
func (*rawSock) setWriteDeadline(time.Time) error { return nil }
func (*rawSock) Read([]byte) (int, error)         { return 0, errors.ErrUnsupported }
func (*rawSock) Write([]byte) (int, error)        { return 0, errors.ErrUnsupported }
func (*rawSock) Close() error                     { return nil }
