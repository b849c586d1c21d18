// Package master is the XCP master: one Master per slave, driving a
// transport.Conn. It sends commands, matches responses, applies the XCP
// error-handling matrix (xcp.Handling) with bounded retries, and
// demultiplexes what the slave sends on its own: events and service
// requests go to subscribers (Subscribe), DAQ packets to a handler
// (SetDTOHandler) installed by the DAQ layer.
//
// A Master is safe for concurrent use: commands from several goroutines are
// serialised, as XCP allows only one outstanding command per slave (in
// standard communication mode).
//
// One goroutine at a time reads the connection. On XCP on Ethernet (a
// connection implementing transport.Waker) and while no DTO handler is
// installed, a command's caller receives its own answer, with no hand-off
// between goroutines; otherwise, and whenever no command has run for 5 ms,
// the master's receive goroutine reads. Events and service requests are
// therefore delivered while a command waits (by its caller) and at most
// 5 ms after a command ended while no other follows; with a DTO handler
// installed, at once.
//
// An answer is believed only if it can belong to the command: after a
// timeout, a cancelled call or an answer that does not fit (its length is
// checked against the command's), the master resynchronises with SYNCH and
// discards everything up to an ERR_CMD_SYNCH that certainly answers a SYNCH
// sent after the missing answer (counted, not timed: see synchAnswered)
// before the next command (ErrNotSynchronised if the slave does not answer
// it); answers received before their command was sent are dropped, and
// where the transport numbers the slave's packets (XCP on Ethernet, SxI and
// USB with a CTR; not CAN) so are repeated frames and responses sent before
// a response already received (stale.go). Config.CommandDeadline bounds a
// command with all its repetitions, pre-actions and EV_CMD_PENDING
// extensions (ErrCommandDeadline).
//
// Every command of ASAM MCD-1 XCP 1.5 outside DAQ and SW-DBG has a method
// with a decoded Go result: session and standard commands (Connect,
// GetStatus, Synch, GetCommModeInfo, GetID/FetchA2L, GetVersion,
// SetRequest, Unlock/UnlockIfLocked, TransportLayerCmd, UserCmd), memory
// access (SetMTA, Upload, ShortUpload, Download, DownloadNext,
// DownloadMax, ShortDownload, ModifyBits, BuildChecksum, and the
// high-level Read, Write and Verify of any length), page switching
// (SetCalPage … CopyCalPage, SegmentInfo) and programming (ProgramStart …
// ProgramVerify). Do and DoWith send any other command packet through the
// same error handling.
package master

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
)

// ErrClosed is returned by commands on a closed Master.
var ErrClosed = errors.New("master: closed")

// ErrNotConnected is returned by commands that need a session before CONNECT.
var ErrNotConnected = errors.New("master: not connected (send CONNECT first)")

// Notice is an event or service request the slave sent on its own.
type Notice struct {
	Kind xcp.PacketKind // xcp.KindEv or xcp.KindServ
	// Event is set for KindEv, Serv for KindServ.
	Event xcp.EventCode
	Serv  xcp.ServCode
	// Data holds the bytes after the code (SERV_TEXT: the text). It is a
	// copy owned by the receiver.
	Data []byte
	// Time is the host receive time (ns since the connection opened).
	Time int64
}

// String formats the Notice for messages.
func (n Notice) String() string {
	if n.Kind == xcp.KindServ {
		if n.Serv == xcp.ServText {
			return fmt.Sprintf("%s %q", n.Serv, n.Data)
		}
		return fmt.Sprintf("%s % X", n.Serv, n.Data)
	}
	return fmt.Sprintf("%s % X", n.Event, n.Data)
}

// DTOHandler receives DAQ packets on the goroutine reading the connection:
// the master's receive goroutine, or a command's caller for DTOs arriving
// during a command that started before the handler was installed — never
// two calls at once. It must not block and must not keep p.Data after
// returning.
type DTOHandler func(p transport.Packet)

// Master is an XCP master session on one connection.
type Master struct {
	conn transport.Conn
	cfg  Config
	log  *slog.Logger
	tmo  Timeouts

	// mu serialises commands; everything below it up to the next comment
	// is guarded by mu.
	mu             sync.Mutex
	req            []byte
	format         xcp.Format
	connected      bool
	conn0          xcp.ConnectResponse
	mta            mtaState
	unusable       map[xcp.Command]bool
	recovery       map[xcp.PreAction]Recovery
	aux            []byte
	timer          *time.Timer
	resps          []respMsg
	lastProtection xcp.Resource
	ext            extState // session state of the command methods (cmdstate.go)
	// desync is set when an answer did not come as expected (timeout,
	// cancellation, wrong shape): the next command resynchronises first.
	desync bool
	// synchSent is set when a SYNCH was sent; the next answer believed
	// clears synchOut (noteBelieved).
	synchSent bool
	// The command deadline (Config.CommandDeadline) of the outermost
	// command in progress: cmdEnd (zero between commands), its command
	// and its length.
	cmdEnd   time.Time
	cmdOf    xcp.Command
	cmdLimit time.Duration
	start    time.Time // the transport clock's origin (Info().Start)
	padded   bool      // the transport may pad packets (checkShape)
	ctr      ctrSeq    // the slave's packet counter (receive goroutine; stale.go)

	// Response hand-off from the receive goroutine: expect is the number
	// of responses still expected for the command in flight (several in
	// slave block mode); the receive goroutine copies each to respBuf at
	// respOff and announces it on respCh.
	respMu   sync.Mutex
	expect   int
	respOff  int
	synching bool // resync: only ERR_CMD_SYNCH ends the wait
	// SYNCH bookkeeping (resync, synchAnswered): synchOut bounds the
	// ERR_CMD_SYNCH answers still on their way; synchNeed is how many
	// more must arrive before one certainly answers a SYNCH sent after
	// the last command whose answer went missing (0: none awaited);
	// synchSince counts the SYNCHs sent since that command.
	synchOut, synchNeed, synchSince int
	synchSeen                       uint64      // ERR_CMD_SYNCH packets received
	pendCmd                         xcp.Command // the command in flight (masking seeds in traces)
	sentAt                          int64       // packets received before this time answer nothing
	respCh                          chan respMsg
	respBuf                         []byte
	extendCh                        chan struct{}

	dto atomic.Pointer[DTOHandler]

	// The reader token (reader.go); waker is nil if the connection cannot
	// be woken (then only the receive goroutine reads).
	waker     transport.Waker
	rdMu      sync.Mutex
	rdState   rdState
	rdWant    bool          // a command asked the receive goroutine for the token
	rdFreed   int64         // m.now() when a command last freed the token
	rdErr     error         // rdDead: the receive error the caller saw
	rdGive    chan struct{} // the receive goroutine grants a request
	rdKick    chan struct{} // wakes the receive goroutine waiting for the token
	bgTimer   *time.Timer   // the receive goroutine's wait for the token
	waitTimer *time.Timer   // a command's wait for its answer (onWaitTimer)
	waitTick  chan struct{}
	waitUntil time.Time // when the command's wait expires; guarded by mu

	subMu sync.Mutex
	subs  map[*subscriber]struct{}

	done    chan struct{} // closed when the receive loop ends
	recvErr error         // why it ended; read after done is closed
	lostMu  sync.Mutex
	lostErr error // set by Abandon before it closes the connection
	closeMu sync.Once
	closed  atomic.Bool
}

type respMsg struct {
	off, n int
	time   int64
	pid    byte
	done   bool // ERR_CMD_SYNCH: it ends the resynchronisation
	code   int  // ERR: the error code, -1 if the packet has none
}

type mtaState struct {
	valid bool
	addr  uint32
	ext   uint8
}

type subscriber struct {
	ch      chan Notice
	dropped atomic.Uint64
}

// New starts a master on conn. It starts one goroutine that reads conn until
// Close. New does not talk to the slave; call Connect.
func New(conn transport.Conn, cfg Config) *Master {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Master{
		conn:     conn,
		cfg:      cfg,
		log:      log,
		tmo:      cfg.Timeouts.withDefaults(),
		req:      make([]byte, 0, 256),
		respCh:   make(chan respMsg, 256),
		respBuf:  make([]byte, 1<<20),
		aux:      make([]byte, 0, 256),
		resps:    make([]respMsg, 0, 256),
		recovery: map[xcp.PreAction]Recovery{},
		timer:    newStoppedTimer(),
		extendCh: make(chan struct{}, 1),
		subs:     map[*subscriber]struct{}{},
		unusable: map[xcp.Command]bool{},
		done:     make(chan struct{}),
		rdGive:   make(chan struct{}, 1),
		rdKick:   make(chan struct{}, 1),
		waitTick: make(chan struct{}, 1),
		bgTimer:  newStoppedTimer(),
		rdFreed:  noLinger,
	}
	m.waitTimer = time.AfterFunc(time.Hour, m.onWaitTimer)
	m.waitTimer.Stop()
	if w, ok := conn.(transport.Waker); ok {
		m.waker = w
	}
	info := conn.Info()
	m.start = info.Start
	m.padded = padsPackets(info.Kind)
	m.ctr = newCtrSeq(info)
	if m.start.IsZero() {
		m.start = time.Now()
	}
	go m.recvLoop()
	return m
}

// Close closes the connection and waits for the receive goroutine to end.
// It does not send DISCONNECT (call Disconnect first for a clean end).
func (m *Master) Close() error {
	var err error
	m.closeMu.Do(func() {
		m.closed.Store(true)
		err = m.conn.Close()
		m.kickBack()
		<-m.done
		m.waitTimer.Stop()
		m.subMu.Lock()
		for s := range m.subs {
			close(s.ch)
			delete(m.subs, s)
		}
		m.subMu.Unlock()
	})
	return err
}

// Lost returns a channel that is closed when the connection is gone: the
// receive goroutine ended because the peer closed the connection, the
// transport failed, Abandon was called, or the Master was closed. Err
// then says why.
func (m *Master) Lost() <-chan struct{} { return m.done }

// Err returns nil while the connection is up and, once Lost is closed, why
// it ended: an error matching transport.ErrConnectionLost, or ErrClosed
// after Close.
func (m *Master) Err() error {
	select {
	case <-m.done:
	default:
		return nil
	}
	if m.closed.Load() && !errors.Is(m.recvErr, transport.ErrConnectionLost) {
		return ErrClosed
	}
	return m.recvErr
}

// Abandon declares the connection lost because of cause (for example a
// watchdog that saw no data from the slave): it closes the transport, so
// that a command waiting for an answer and every later command fail at
// once with an error matching transport.ErrConnectionLost instead of
// waiting for their timeouts, and the session counts as not connected.
// Close must still be called.
func (m *Master) Abandon(cause error) {
	if !errors.Is(cause, transport.ErrConnectionLost) {
		cause = &transport.LostError{Op: "abandoned", Err: cause}
	}
	m.lostMu.Lock()
	if m.lostErr == nil {
		m.lostErr = cause
	}
	m.lostMu.Unlock()
	m.conn.Close()
	m.kickBack()
	<-m.done
}

// Conn returns the underlying connection (for its Info and Stats).
func (m *Master) Conn() transport.Conn { return m.conn }

// Logger returns the master's logger (never nil).
func (m *Master) Logger() *slog.Logger { return m.log }

// Timeouts returns the effective timeouts.
func (m *Master) Timeouts() Timeouts { return m.tmo }

// Format returns the session format negotiated at CONNECT (zero before).
func (m *Master) Format() xcp.Format {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.format
}

// SetDTOHandler installs h to receive DAQ packets (nil removes it). DTOs that
// arrive without a handler are counted and dropped. While a handler is
// installed the receive goroutine reads the connection without pause and
// hands the answers to the commands.
func (m *Master) SetDTOHandler(h DTOHandler) {
	if h == nil {
		m.dto.Store(nil)
		return
	}
	m.dto.Store(&h)
	m.kickBack() // the receive goroutine reads from now on
}

// Subscribe returns a channel that receives every event and service request
// from the slave, and a function that ends the subscription and closes the
// channel. A subscriber that does not keep up loses notices (they are
// logged); buf is the channel's capacity.
func (m *Master) Subscribe(buf int) (<-chan Notice, func()) {
	s := &subscriber{ch: make(chan Notice, buf)}
	m.subMu.Lock()
	if m.closed.Load() {
		m.subMu.Unlock()
		close(s.ch)
		return s.ch, func() {}
	}
	m.subs[s] = struct{}{}
	m.subMu.Unlock()
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			m.subMu.Lock()
			if _, ok := m.subs[s]; ok {
				delete(m.subs, s)
				close(s.ch)
			}
			m.subMu.Unlock()
		})
	}
}

func (m *Master) recvLoop() {
	defer close(m.done)
	ctx := context.Background()
	trace := m.log.Enabled(ctx, slog.LevelDebug)
	for {
		if !m.backgroundTurn() {
			m.recvErr = m.receiveErr(m.rdErr)
			return
		}
		for {
			p, err := m.conn.Recv(ctx)
			if err != nil {
				if m.waker != nil && errors.Is(err, transport.ErrWoken) {
					if m.yieldToCaller() {
						break
					}
					continue
				}
				m.recvErr = m.receiveErr(err)
				return
			}
			m.dispatch(p, trace, true)
		}
	}
}

// receiveErr says why receiving ended with err (recvErr).
func (m *Master) receiveErr(err error) error {
	m.lostMu.Lock()
	abandoned := m.lostErr
	m.lostMu.Unlock()
	switch {
	case abandoned != nil:
		return abandoned
	case m.closed.Load():
		return err
	}
	if !errors.Is(err, net.ErrClosed) {
		m.log.Error("xcp receive failed", "err", err)
	}
	return &transport.LostError{Op: "receive", Err: err}
}

// dispatch handles one received packet: a response goes to the command
// waiting for it, an event or service request to the subscribers, a DTO to
// the DTO handler. It runs on the goroutine holding the reader token:
// the receive goroutine (back) or a command's caller.
func (m *Master) dispatch(p transport.Packet, trace, back bool) {
	if len(p.Data) == 0 {
		return
	}
	m.ctr.packet(p.Ctr)
	pid := p.Data[0]
	if pid < xcp.PIDServ {
		if h := m.dto.Load(); h != nil {
			(*h)(p)
		}
		return
	}
	switch pid {
	case xcp.PIDRes, xcp.PIDErr:
		m.respMu.Lock()
		if trace {
			m.log.Debug("<- " + traceResp(m.pendCmd, p.Data))
		}
		code := -1
		if pid == xcp.PIDErr && len(p.Data) > 1 {
			code = int(p.Data[1])
		}
		stale := m.ctr.stale(m.pendCmd)
		if pid == xcp.PIDErr && code == int(xcp.ErrCmdSynch) && !stale {
			// Only SYNCH is answered with ERR_CMD_SYNCH: it is counted
			// whenever it comes, answers no other command, and ends a
			// resync once it certainly answers a SYNCH sent after the
			// last missing answer (synchAnswered).
			done := m.synchAnswered()
			if m.synching {
				m.deliver(respMsg{time: p.Time, pid: pid, code: code, done: done})
			}
			cmd, need := m.pendCmd, m.synchNeed
			m.respMu.Unlock()
			m.log.Debug("xcp ERR_CMD_SYNCH counted", "cmd", cmd.String(), "still needed", need)
			return
		}
		if stale {
			cmd := m.pendCmd
			m.respMu.Unlock()
			m.log.Warn("xcp response sent before one already received (transport counter), dropped", "cmd", cmd.String(), "ctr", p.Ctr, "packet", packetHead(p.Data))
			return
		}
		if m.expect <= 0 {
			m.respMu.Unlock()
			m.log.Warn("xcp response without a pending command, dropped", "packet", packetHead(p.Data))
			return
		}
		if p.Time != 0 && p.Time < m.sentAt {
			// Received before the command was sent: a late or repeated
			// answer to an earlier one.
			cmd := m.pendCmd
			m.respMu.Unlock()
			m.log.Warn("xcp response received before its command was sent, dropped", "cmd", cmd.String(), "packet", packetHead(p.Data))
			return
		}
		off, n := 0, 0
		if !m.synching {
			off = m.respOff
			n = copy(m.respBuf[off:], p.Data)
			m.respOff += n
			m.expect--
			if pid == xcp.PIDErr {
				m.expect = 0
			}
		}
		m.deliver(respMsg{off: off, n: n, time: p.Time, pid: pid, code: code})
		last := m.expect == 0
		m.respMu.Unlock()
		if last && back {
			// Let the waiting command run now rather than after this
			// goroutine's next read (which would find nothing and
			// park): about 8% off a loopback round trip.
			runtime.Gosched()
		}
	case xcp.PIDEv:
		if trace {
			m.log.Debug(fmt.Sprintf("<- % X", p.Data))
		}
		ev, _ := xcp.DecodeEvent(p.Data)
		if ev.Code == xcp.EvCmdPending {
			select {
			case m.extendCh <- struct{}{}:
			default:
			}
		}
		m.publish(Notice{Kind: xcp.KindEv, Event: ev.Code, Data: append([]byte(nil), ev.Data...), Time: p.Time})
	case xcp.PIDServ:
		if trace {
			m.log.Debug(fmt.Sprintf("<- % X", p.Data))
		}
		sr, _ := xcp.DecodeServiceRequest(p.Data)
		n := Notice{Kind: xcp.KindServ, Serv: sr.Code, Data: append([]byte(nil), sr.Data...), Time: p.Time}
		if sr.Code == xcp.ServText {
			m.log.Info("slave text", "text", string(n.Data))
		}
		m.publish(n)
	}
}

func (m *Master) publish(n Notice) {
	if n.Kind == xcp.KindEv {
		m.log.Info("slave event", "event", n.Event.String(), "data", fmt.Sprintf("% X", n.Data))
	}
	m.subMu.Lock()
	defer m.subMu.Unlock()
	for s := range m.subs {
		select {
		case s.ch <- n:
		default:
			s.dropped.Add(1)
			m.log.Warn("xcp notice dropped: subscriber is not keeping up", "notice", n.String())
		}
	}
}

// deliver hands r to the waiting command without blocking: it runs with
// respMu held, which the command takes to finish, so a full hand-off (a
// slave flooding answers while the command is ending its wait) must not
// block here. A dropped answer leaves the command without it: it times out
// and the master resynchronises, never believing a wrong answer. Callers
// hold m.respMu.
func (m *Master) deliver(r respMsg) {
	select {
	case m.respCh <- r:
	default:
		m.log.Warn("xcp answers arrive faster than the command takes them, dropped", "packet_pid", r.pid)
	}
}
