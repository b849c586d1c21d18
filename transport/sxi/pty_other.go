//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package sxi

import (
	"errors"
	"os"
	"runtime"
)

// PTY is a pseudo-terminal pair (not supported on this GOOS).
type PTY struct {
	Master  *os.File
	TTYPath string
}

// OpenPTY reports that pseudo-terminals are not supported here.
func OpenPTY() (*PTY, error) {
	return nil, errors.New("sxi: pseudo-terminals are not supported on " + runtime.GOOS)
}

// Close does nothing.
func (p *PTY) Close() error { return nil }
