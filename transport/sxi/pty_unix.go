//go:build linux || darwin || freebsd || netbsd || openbsd

package sxi

import (
	"errors"
	"fmt"
	"os"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// PTY is a pseudo-terminal pair: a program opens TTYPath as if it were a
// serial port, and the owner talks to it through Master. The simulator
// uses it to offer XCP on SxI without hardware.
type PTY struct {
	Master  *os.File // the controlling side
	TTYPath string   // the serial-port-like side, e.g. /dev/pts/3
	tty     *os.File // kept open so the line survives the peer reopening it
}

// OpenPTY creates a pseudo-terminal in raw mode.
func OpenPTY() (*PTY, error) {
	m, t, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("sxi: open pty: %w", err)
	}
	if err := makeRaw(int(t.Fd())); err != nil {
		m.Close()
		t.Close()
		return nil, fmt.Errorf("sxi: pty raw mode: %w", err)
	}
	pm, err := pollable(m)
	if err != nil {
		t.Close()
		return nil, fmt.Errorf("sxi: pty: %w", err)
	}
	return &PTY{Master: pm, TTYPath: t.Name(), tty: t}, nil
}

// pollable returns a non-blocking duplicate of f (and closes f), so that
// the Go runtime poller serves it: Close then unblocks a pending Read and
// read deadlines work.
func pollable(f *os.File) (*os.File, error) {
	sc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	nfd := -1
	var derr error
	if err := sc.Control(func(fd uintptr) { nfd, derr = unix.Dup(int(fd)) }); err != nil {
		f.Close()
		return nil, err
	}
	name := f.Name()
	f.Close()
	if derr != nil {
		return nil, derr
	}
	unix.CloseOnExec(nfd)
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return nil, err
	}
	return os.NewFile(uintptr(nfd), name), nil
}

// Close closes both sides. A side closed already (Master, by a Conn that
// owned it) is not an error.
func (p *PTY) Close() error {
	err := p.Master.Close()
	if errors.Is(err, os.ErrClosed) {
		err = nil
	}
	if e := p.tty.Close(); err == nil && !errors.Is(e, os.ErrClosed) {
		err = e
	}
	return err
}

func makeRaw(fd int) error {
	t, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return err
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
	return unix.IoctlSetTermios(fd, ioctlSetTermios, t)
}
