package can

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
	"github.com/goxcp/goxcp/transport"
)

// Config configures XCP on CAN: the interface to open (for canbus.Dial),
// the identifiers and the frame format. Names follow pyXCP's Transport.Can
// settings; identifiers use the bit-31 convention for extended
// identifiers. It is a plain Go struct: the configuration file's keys are
// mapped onto it by package config.
type Config struct {
	Interface      string   // backend: virtual, udp, socketcan, slcan, user
	Channel        string   // backend-specific: "can0", "/dev/ttyACM0", "239.74.67.1:43210", virtual bus name
	Bitrate        int      // nominal bitrate (bit/s)
	DataBitrate    int      // CAN FD data phase bitrate (bit/s)
	FD             bool     // use CAN FD frames
	BRS            bool     // CAN FD bit rate switch
	CanIDMaster    uint32   // master → slave
	CanIDSlave     uint32   // slave → master
	CanIDBroadcast uint32   // GET_SLAVE_ID broadcast (0 = none)
	MaxDLCRequired bool     // always send frames of the maximum length
	PaddingValue   uint8    // fill byte for padding
	MaxFDLen       int      // largest CAN FD frame length used (0 = 64)
	DaqIdentifiers []uint32 // DAQ-list-specific slave identifiers

	// Timing is the bit timing beyond the bit rates (sample point, SJW,
	// TSEG1/2); zero fields leave it to the interface. Backends that
	// cannot apply it say so (see canbus.Open).
	Timing Timing

	// Bus is a bus the program opened itself: a port of a *virtual.Bus
	// for interface "virtual", any Bus implementation for "user".
	// canbus.Dial uses it instead of opening one; the Conn closes it.
	Bus Bus
	// Logger receives reports about the bus (error frames, bus state
	// changes, skipped frames); nil = silent.
	Logger *slog.Logger
}

// Timing is CAN bit timing as pyXCP exposes it: sample points in percent
// and SJW/TSEG1/TSEG2 in time quanta, for the arbitration (nominal) and
// the CAN FD data phase. Zero means "the interface's default".
type Timing struct {
	SamplePoint     float64 // arbitration phase sample point, percent (e.g. 87.5)
	SJW             int     // arbitration phase synchronisation jump width (tq)
	TSeg1           int     // arbitration phase time segment 1 (tq)
	TSeg2           int     // arbitration phase time segment 2 (tq)
	DataSamplePoint float64 // data phase sample point, percent
	DataSJW         int     // data phase SJW (tq)
	DataTSeg1       int     // data phase TSEG1 (tq)
	DataTSeg2       int     // data phase TSEG2 (tq)
}

// IsZero reports whether no bit timing is set.
func (t Timing) IsZero() bool { return t == Timing{} }

// Validate checks the ranges of the bit timing settings.
func (t Timing) Validate() error {
	for _, sp := range []struct {
		name string
		v    float64
	}{{"sample_point", t.SamplePoint}, {"data_sample_point", t.DataSamplePoint}} {
		if sp.v != 0 && (sp.v < 50 || sp.v >= 100) {
			return fmt.Errorf("can: %s %g%% is not in 50..<100", sp.name, sp.v)
		}
	}
	for _, q := range []struct {
		name     string
		v, limit int
	}{{"sjw", t.SJW, 128}, {"tseg1", t.TSeg1, 256}, {"tseg2", t.TSeg2, 128},
		{"data_sjw", t.DataSJW, 128}, {"data_tseg1", t.DataTSeg1, 256}, {"data_tseg2", t.DataTSeg2, 128}} {
		if q.v < 0 || q.v > q.limit {
			return fmt.Errorf("can: %s %d is not 0..%d time quanta", q.name, q.v, q.limit)
		}
	}
	if t.SJW != 0 && t.TSeg2 != 0 && t.SJW > t.TSeg2 {
		return fmt.Errorf("can: sjw %d exceeds tseg2 %d", t.SJW, t.TSeg2)
	}
	if t.DataSJW != 0 && t.DataTSeg2 != 0 && t.DataSJW > t.DataTSeg2 {
		return fmt.Errorf("can: data_sjw %d exceeds data_tseg2 %d", t.DataSJW, t.DataTSeg2)
	}
	return nil
}

// Validate checks identifiers and lengths.
func (c Config) Validate() error {
	if _, err := c.ids(); err != nil {
		return err
	}
	return c.validateFormat()
}

// validateFormat checks the frame format settings (FD, lengths).
func (c Config) validateFormat() error {
	if c.MaxFDLen != 0 && (!c.FD || FDLen(c.MaxFDLen) != c.MaxFDLen || c.MaxFDLen < 8) {
		return fmt.Errorf("can: max_can_fd_dlc %d is not a CAN FD length ≥ 8 (or fd is off)", c.MaxFDLen)
	}
	if c.BRS && !c.FD {
		return errors.New("can: brs needs fd = true")
	}
	return c.Timing.Validate()
}

type idSet struct {
	master, slave, broadcast ID
	hasBroadcast             bool
	daq                      []ID
}

func (c Config) ids() (idSet, error) {
	var s idSet
	var err error
	if c.CanIDMaster == c.CanIDSlave {
		return s, fmt.Errorf("can: can_id_master and can_id_slave are both 0x%X", c.CanIDMaster)
	}
	if s.master, err = ParseID(c.CanIDMaster); err != nil {
		return s, fmt.Errorf("can: can_id_master: %w", err)
	}
	if s.slave, err = ParseID(c.CanIDSlave); err != nil {
		return s, fmt.Errorf("can: can_id_slave: %w", err)
	}
	if c.CanIDBroadcast != 0 {
		if s.broadcast, err = ParseID(c.CanIDBroadcast); err != nil {
			return s, fmt.Errorf("can: can_id_broadcast: %w", err)
		}
		s.hasBroadcast = true
	}
	for i, v := range c.DaqIdentifiers {
		id, err := ParseID(v)
		if err != nil {
			return s, fmt.Errorf("can: daq_identifier[%d]: %w", i, err)
		}
		s.daq = append(s.daq, id)
	}
	return s, nil
}

// MaxPacket returns the largest XCP packet one frame carries (8 classic,
// up to 64 with CAN FD).
func (c Config) MaxPacket() int {
	if !c.FD {
		return 8
	}
	if c.MaxFDLen > 0 {
		return c.MaxFDLen
	}
	return 64
}

// Role says which side of the link a Conn is.
type Role uint8

// Roles.
const (
	Master Role = iota // sends on can_id_master, receives on can_id_slave (+ DAQ ids)
	Slave              // sends on can_id_slave, receives on can_id_master and the broadcast id
)

// Conn carries XCP packets over a Bus. It implements transport.Conn.
type Conn struct {
	bus   Bus
	cfg   Config
	role  Role
	ids   idSet
	start time.Time
	info  transport.Info

	mu     sync.RWMutex
	accept map[ID]bool // identifiers whose frames are XCP packets for us
	health Health      // under mu
	log    *slog.Logger

	// wmu serialises Send calls: the Bus contract allows one Send at a
	// time, while transport.Conn allows concurrent senders.
	wmu  sync.Mutex
	rbuf [64]byte

	closed                                  atomic.Bool
	once                                    sync.Once
	sent, sentBytes, rcvd, rcvdBytes, other atomic.Uint64
}

// NewConn runs XCP on CAN over bus in the given role. The Conn owns bus and
// closes it on Close. cfg.Interface, cfg.Channel and cfg.Bus are not used
// (they say which bus to open; see canbus.Dial).
func NewConn(bus Bus, cfg Config, role Role) (*Conn, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ids, _ := cfg.ids()
	now := time.Now()
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Conn{bus: bus, cfg: cfg, role: role, ids: ids, start: now, accept: map[ID]bool{}, log: log}
	kind := "can"
	if cfg.FD {
		kind = "canfd"
	}
	remote := ""
	if d, ok := bus.(Describer); ok {
		remote = d.Describe()
	}
	local, peer := ids.master, ids.slave
	if role == Slave {
		local, peer = peer, local
	}
	c.info = transport.Info{Kind: kind, Local: "tx " + local.String(), Remote: fmt.Sprintf("rx %s on %s", peer.String(), remote), Start: now, MaxPacket: cfg.MaxPacket()}
	if role == Master {
		c.accept[ids.slave] = true
		for _, id := range ids.daq {
			c.accept[id] = true
		}
	} else {
		c.accept[ids.master] = true
		if ids.hasBroadcast {
			c.accept[ids.broadcast] = true
		}
	}
	if err := c.applyFilter(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Conn) applyFilter() error {
	f, ok := c.bus.(Filterer)
	if !ok {
		return nil
	}
	c.mu.RLock()
	ids := make([]ID, 0, len(c.accept))
	for id := range c.accept {
		ids = append(ids, id)
	}
	c.mu.RUnlock()
	if err := f.SetFilter(ids); err != nil {
		return fmt.Errorf("can: set receive filter: %w", err)
	}
	return nil
}

// AddReceiveIDs makes the Conn accept XCP packets on more identifiers (for
// example the DAQ-list-specific identifiers learnt with GET_DAQ_ID) and
// widens the bus filter accordingly.
func (c *Conn) AddReceiveIDs(raw ...uint32) error {
	c.mu.Lock()
	for _, v := range raw {
		id, err := ParseID(v)
		if err != nil {
			c.mu.Unlock()
			return err
		}
		c.accept[id] = true
	}
	c.mu.Unlock()
	return c.applyFilter()
}

// frame builds the frame for packet on identifier id.
func (c *Conn) frame(id ID, packet []byte) (Frame, error) { return c.cfg.frame(id, packet) }

// frame builds the frame for packet on identifier id: FD length steps,
// MAX_DLC_REQUIRED padding with the padding value.
func (cfg Config) frame(id ID, packet []byte) (Frame, error) {
	max := cfg.MaxPacket()
	if len(packet) == 0 || len(packet) > max {
		return Frame{}, fmt.Errorf("can: packet of %d bytes does not fit a frame (1..%d): %w", len(packet), max, transport.ErrFrame)
	}
	f := Frame{ID: id.Value, Extended: id.Extended, FD: cfg.FD, BRS: cfg.BRS}
	n := len(packet)
	switch {
	case cfg.MaxDLCRequired:
		n = max
	case cfg.FD:
		n = FDLen(n)
	}
	copy(f.Data[:], packet)
	for i := len(packet); i < n; i++ {
		f.Data[i] = cfg.PaddingValue
	}
	f.Len = uint8(n)
	return f, nil
}

// Send implements transport.Conn: one packet, one frame on the master
// identifier (or the slave identifier for a Slave).
func (c *Conn) Send(ctx context.Context, packet []byte) error {
	id := c.ids.master
	if c.role == Slave {
		id = c.ids.slave
	}
	return c.SendOn(ctx, id, packet)
}

// SendBroadcast sends packet on the broadcast identifier (GET_SLAVE_ID).
func (c *Conn) SendBroadcast(ctx context.Context, packet []byte) error {
	if !c.ids.hasBroadcast {
		return errors.New("can: no can_id_broadcast configured")
	}
	return c.SendOn(ctx, c.ids.broadcast, packet)
}

// SendOn sends packet on an explicit identifier (a slave uses it for
// DAQ-list-specific identifiers).
func (c *Conn) SendOn(ctx context.Context, id ID, packet []byte) error {
	if c.closed.Load() {
		return net.ErrClosed
	}
	f, err := c.frame(id, packet)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	err = c.bus.Send(ctx, f)
	c.wmu.Unlock()
	if err != nil {
		if c.closed.Load() {
			return net.ErrClosed
		}
		return err
	}
	c.sent.Add(1)
	c.sentBytes.Add(uint64(f.Len))
	return nil
}

// Recv implements transport.Conn. Frames on identifiers the Conn does not
// use, and frames that fail Frame.Validate, are skipped (counted by Ignored). The packet includes any padding
// bytes, as XCP on CAN has no length field.
func (c *Conn) Recv(ctx context.Context) (transport.Packet, error) {
	for {
		if c.closed.Load() {
			return transport.Packet{}, net.ErrClosed
		}
		f, err := c.bus.Receive(ctx)
		if err != nil {
			if c.closed.Load() {
				return transport.Packet{}, net.ErrClosed
			}
			return transport.Packet{}, err
		}
		if f.Error {
			if err := c.busError(f); err != nil {
				return transport.Packet{}, err
			}
			continue
		}
		c.mu.RLock()
		ok := c.accept[f.Key()]
		c.mu.RUnlock()
		if ok && c.role == Slave && c.ids.hasBroadcast && f.Key() == c.ids.broadcast && f.Len > 0 && f.Data[0] != byte(xcp.CmdTransportLayerCmd) {
			ok = false // the broadcast identifier carries TRANSPORT_LAYER_CMDs (GET_SLAVE_ID) only
		}
		if !ok || f.Len == 0 || f.Validate() != nil {
			c.other.Add(1) // includes invalid frames from a third-party Bus
			continue
		}
		c.rcvd.Add(1)
		c.rcvdBytes.Add(uint64(f.Len))
		n := copy(c.rbuf[:], f.Payload())
		return transport.Packet{Data: c.rbuf[:n], Time: int64(time.Since(c.start))}, nil
	}
}

// busError counts and logs an error frame; it returns an error matching
// ErrBusOff when the controller went bus-off.
func (c *Conn) busError(f Frame) error {
	c.mu.Lock()
	was := c.health.State
	changed := c.health.update(f)
	h := c.health
	c.mu.Unlock()
	switch {
	case changed && h.State == StateBusOff:
		c.log.Error("can: bus-off: the controller left the bus", "bus", c.info.Remote, "tx_errors", h.TxErrors, "rx_errors", h.RxErrors)
		return &transport.LostError{Op: "CAN bus-off", Err: fmt.Errorf("%w on %s (controller state was %s)", ErrBusOff, c.info.Remote, was)}
	case changed:
		c.log.Warn("can: controller state changed", "from", was.String(), "to", h.State.String(), "error", DescribeError(f), "tx_errors", h.TxErrors, "rx_errors", h.RxErrors)
	default:
		c.log.Debug("can: error frame", "error", DescribeError(f), "count", h.ErrorFrames)
	}
	return nil
}

// Health returns what the bus reported through error frames so far.
func (c *Conn) Health() Health {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.health
}

// Ignored returns the number of frames received on identifiers the Conn
// does not use (other traffic on the bus) and of invalid frames.
func (c *Conn) Ignored() uint64 { return c.other.Load() }

// Close implements transport.Conn; it closes the bus.
func (c *Conn) Close() error {
	var err error
	c.once.Do(func() {
		c.closed.Store(true)
		err = c.bus.Close()
	})
	return err
}

// Info implements transport.Conn.
func (c *Conn) Info() transport.Info { return c.info }

// Stats implements transport.Conn.
func (c *Conn) Stats() transport.Stats {
	st := transport.Stats{PacketsSent: c.sent.Load(), PacketsReceived: c.rcvd.Load(),
		BytesSent: c.sentBytes.Load(), BytesReceived: c.rcvdBytes.Load()}
	if d, ok := c.bus.(DropCounter); ok {
		st.Lost = d.Dropped()
	}
	h := c.Health()
	st.ErrorFrames, st.BusOff = h.ErrorFrames, h.BusOff
	return st
}

// Config returns the configuration the Conn was created with.
func (c *Conn) Config() Config { return c.cfg }

// Role returns the side of the link the Conn is.
func (c *Conn) Role() Role { return c.role }
