package eth

import (
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// rawSock is a master's socket taken out of Go's netpoller and used the way
// a C client uses it: a read or write that cannot proceed blocks the
// calling OS thread in ppoll(2) until the socket is ready, and the data
// reaches the calling goroutine without a scheduler wake-up of another
// thread. Go's netpoller would also wake its polling thread (if one sleeps
// there, as it does while any timer is pending) for every packet that
// arrives. On a loopback round trip that is a third of the time.
//
// Each direction has an eventfd in its ppoll that ends the wait when its
// deadline is set into the past (a cancelled context, Wake) or the socket
// is closed.
type rawSock struct {
	fd       int
	efd      [2]int          // read, write
	deadline [2]atomic.Int64 // unix ns; 0: none
	closed   atomic.Bool
	op       net.OpError // template of I/O errors

	mu       sync.Mutex
	idle     sync.Cond // signalled when users drops to 0 after Close
	users    int       // reads and writes in progress
	released bool      // fd and efd are closed
}

const (
	dirRead  = 0
	dirWrite = 1
)

// newRawSock takes nc's socket for a rawSock: it duplicates the descriptor
// and closes nc (which removes the socket from Go's netpoller). On error nc
// is left as it was.
func newRawSock(nc interface {
	net.Conn
	syscall.Conn
}) (*rawSock, error) {
	rc, err := nc.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd := -1
	var derr error
	if err := rc.Control(func(s uintptr) {
		fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, os.NewSyscallError("dup", derr)
	}
	s := &rawSock{fd: fd, efd: [2]int{-1, -1}}
	s.idle.L = &s.mu
	s.op = net.OpError{Net: nc.LocalAddr().Network(), Source: nc.LocalAddr(), Addr: nc.RemoteAddr()}
	for i := range s.efd {
		if s.efd[i], err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
			s.released = true
			s.closeFDs()
			return nil, os.NewSyscallError("eventfd", err)
		}
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		s.released = true
		s.closeFDs()
		return nil, os.NewSyscallError("setnonblock", err)
	}
	nc.Close()
	return s, nil
}

func (s *rawSock) closeFDs() {
	unix.Close(s.fd)
	for _, e := range s.efd {
		if e >= 0 {
			unix.Close(e)
		}
	}
}

// setReadDeadline and setWriteDeadline are the deadliners' set: a
// deadline in the past ends a blocked call at once.
func (s *rawSock) setReadDeadline(t time.Time) error  { return s.setDeadline(dirRead, t) }
func (s *rawSock) setWriteDeadline(t time.Time) error { return s.setDeadline(dirWrite, t) }

func (s *rawSock) setDeadline(dir int, t time.Time) error {
	var ns int64
	if !t.IsZero() {
		ns = t.UnixNano()
	}
	s.deadline[dir].Store(ns)
	if ns != 0 && !t.After(time.Now()) {
		s.kick(dir)
	}
	return nil
}

// kick wakes a ppoll of direction dir.
func (s *rawSock) kick(dir int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.released {
		one := [8]byte{1}
		_, _ = unix.Write(s.efd[dir], one[:])
	}
}

// Close wakes blocked calls, waits for them to return and closes the
// socket. It is safe to call more than once.
func (s *rawSock) Close() error {
	s.closed.Store(true)
	s.kick(dirRead)
	s.kick(dirWrite)
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.users > 0 {
		s.idle.Wait()
	}
	if s.released {
		return nil
	}
	s.released = true
	err := unix.Close(s.fd)
	for _, e := range s.efd {
		unix.Close(e)
	}
	if err != nil {
		return os.NewSyscallError("close", err)
	}
	return nil
}

func (s *rawSock) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return false
	}
	s.users++
	return true
}

func (s *rawSock) leave() {
	s.mu.Lock()
	s.users--
	if s.users == 0 {
		s.idle.Broadcast()
	}
	s.mu.Unlock()
}

// Read implements io.Reader like net.Conn.Read: an expired deadline is
// os.ErrDeadlineExceeded, a closed socket net.ErrClosed, the end of a
// stream io.EOF.
func (s *rawSock) Read(p []byte) (int, error) {
	if !s.enter() {
		return 0, s.err("read", net.ErrClosed)
	}
	defer s.leave()
	for {
		n, err := unix.Read(s.fd, p)
		switch err {
		case nil:
			if n == 0 && len(p) > 0 {
				return 0, io.EOF
			}
			return n, nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			if err := s.wait(dirRead, unix.POLLIN); err != nil {
				return 0, s.err("read", err)
			}
		default:
			return 0, s.err("read", os.NewSyscallError("read", err))
		}
	}
}

// Write implements io.Writer like net.Conn.Write: all of p is written
// unless an error is returned.
func (s *rawSock) Write(p []byte) (int, error) {
	if !s.enter() {
		return 0, s.err("write", net.ErrClosed)
	}
	defer s.leave()
	w := 0
	for w < len(p) {
		n, err := unix.Write(s.fd, p[w:])
		switch err {
		case nil:
			w += n
		case unix.EINTR:
		case unix.EAGAIN:
			if err := s.wait(dirWrite, unix.POLLOUT); err != nil {
				return w, s.err("write", err)
			}
		default:
			return w, s.err("write", os.NewSyscallError("write", err))
		}
	}
	return w, nil
}

// wait blocks until the socket is ready for events, the deadline of dir
// expires (os.ErrDeadlineExceeded) or the socket is closed (net.ErrClosed).
func (s *rawSock) wait(dir int, events int16) error {
	fds := [2]unix.PollFd{{Fd: int32(s.fd), Events: events}, {Fd: int32(s.efd[dir]), Events: unix.POLLIN}}
	for {
		if s.closed.Load() {
			return net.ErrClosed
		}
		var ts *unix.Timespec
		if dl := s.deadline[dir].Load(); dl != 0 {
			left := dl - time.Now().UnixNano()
			if left <= 0 {
				return os.ErrDeadlineExceeded
			}
			t := unix.NsecToTimespec(left)
			ts = &t
		}
		fds[0].Revents, fds[1].Revents = 0, 0
		if _, err := unix.Ppoll(fds[:], ts, nil); err != nil && err != unix.EINTR {
			return os.NewSyscallError("ppoll", err)
		}
		if fds[1].Revents != 0 {
			var v [8]byte
			_, _ = unix.Read(s.efd[dir], v[:]) // reset the counter
			continue                           // closed, or a deadline moved
		}
		if fds[0].Revents != 0 {
			return nil // ready, or an error the next read or write reports
		}
	}
}

// err wraps err like the net package does.
func (s *rawSock) err(op string, err error) error {
	if err == os.ErrDeadlineExceeded {
		return err
	}
	e := s.op
	e.Op = op
	e.Err = err
	return &e
}
