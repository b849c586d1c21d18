package sim

import (
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// blockState is a master block (DOWNLOAD + DOWNLOAD_NEXT, PROGRAM +
// PROGRAM_NEXT) in progress.
type blockState struct {
	active    bool
	next      xcp.Command // DOWNLOAD_NEXT or PROGRAM_NEXT
	remaining int         // elements still expected
	packets   int         // packets received so far
	addr      uint32      // where the block starts
	ext       uint8
	buf       []byte    // data received so far
	last      time.Time // arrival of the previous packet (MIN_ST check)
}

// aligned reports whether addr is aligned to the address granularity.
func (ss *session) aligned(addr uint32) bool {
	return addr%uint32(ss.slave.cfg.AG.Size()) == 0
}

// readAt reads n bytes at addr/ext, checking alignment. The result is
// valid until the next readAt.
func (ss *session) readAt(addr uint32, ext uint8, n int) ([]byte, xcp.ErrorCode, bool) {
	if !ss.aligned(addr) {
		return nil, xcp.ErrOutOfRange, false
	}
	if cap(ss.rbuf) < n {
		ss.rbuf = make([]byte, n)
	}
	buf := ss.rbuf[:n]
	if err := ss.slave.readMemLocked(addr, ext, buf); err != nil {
		return nil, codeOf(err), false
	}
	return buf, 0, true
}

func (ss *session) upload(c *xcp.Upload) []byte {
	f := ss.format()
	per := f.MaxUploadElements()
	n := int(c.N)
	if n == 0 || (n > per && ss.slave.cfg.NoSlaveBlockMode) {
		return errPacket(xcp.ErrOutOfRange)
	}
	ag := f.AG.Size()
	data, code, ok := ss.readAt(ss.mta, ss.mtaExt, n*ag)
	if !ok {
		return errPacket(code)
	}
	ss.mta += uint32(n * ag)
	// Slave block mode: all but the last packet are queued.
	for len(data) > per*ag {
		ss.queue = append(ss.queue, outPacket{p: xcp.UploadResponse{Data: data[:per*ag]}.Append(nil, f)})
		data = data[per*ag:]
	}
	return xcp.UploadResponse{Data: data}.Append(ss.out[:0], f)
}

func (ss *session) shortUpload(c *xcp.ShortUpload) []byte {
	f := ss.format()
	if c.N == 0 || c.Validate(f) != nil {
		return errPacket(xcp.ErrOutOfRange)
	}
	n := int(c.N) * f.AG.Size()
	data, code, ok := ss.readAt(c.Addr, c.Ext, n)
	if !ok {
		return errPacket(code)
	}
	ss.mta, ss.mtaExt = c.Addr+uint32(n), c.Ext
	return xcp.UploadResponse{Data: data}.Append(ss.out[:0], f)
}

// writeAt writes data at addr/ext after the CAL/PAG protection and
// alignment checks.
func (ss *session) writeAt(addr uint32, ext uint8, data []byte) (xcp.ErrorCode, bool) {
	if err := ss.checkProtection(xcp.ResCalPag); err != nil {
		return xcp.ErrAccessLocked, false
	}
	if !ss.aligned(addr) {
		return xcp.ErrOutOfRange, false
	}
	if err := ss.slave.writeMemLocked(addr, ext, data); err != nil {
		return codeOf(err), false
	}
	return 0, true
}

func (ss *session) download(c *xcp.Download) []byte {
	f := ss.format()
	if err := ss.checkProtection(xcp.ResCalPag); err != nil {
		return errPacket(xcp.ErrAccessLocked)
	}
	n := int(c.N)
	if n == 0 {
		return errPacket(xcp.ErrOutOfRange)
	}
	per := f.MaxDownloadElements()
	if n <= per {
		if code, ok := ss.writeAt(ss.mta, ss.mtaExt, c.Data); !ok {
			return errPacket(code)
		}
		ss.mta += uint32(len(c.Data))
		return ss.ok()
	}
	// Master block mode.
	cfg := &ss.slave.cfg
	if cfg.NoMasterBlockMode || (n+per-1)/per > int(cfg.MaxBS) {
		return errPacket(xcp.ErrOutOfRange)
	}
	ag := f.AG.Size()
	if !ss.aligned(ss.mta) {
		return errPacket(xcp.ErrOutOfRange)
	}
	// Check the whole destination before accepting the block.
	if _, _, err := ss.slave.span(ss.mta, ss.mtaExt, n*ag, true); err != nil {
		return errPacket(codeOf(err))
	}
	ss.dl = blockState{active: true, next: xcp.CmdDownloadNext, remaining: n - per, packets: 1,
		addr: ss.mta, ext: ss.mtaExt, buf: append(make([]byte, 0, n*ag), c.Data...), last: time.Now()}
	return nil
}

func (ss *session) downloadNext(c *xcp.DownloadNext) []byte {
	return ss.blockNext(int(c.N), c.Data, xcp.CmdDownloadNext, func(b *blockState) []byte {
		if code, ok := ss.writeAt(b.addr, b.ext, b.buf); !ok {
			return errPacket(code)
		}
		ss.mta, ss.mtaExt = b.addr+uint32(len(b.buf)), b.ext
		return ss.ok()
	})
}

// blockNext handles DOWNLOAD_NEXT / PROGRAM_NEXT: n is the number of
// elements the master says remain (including this packet's data). done
// runs when the block is complete.
func (ss *session) blockNext(n int, data []byte, cmd xcp.Command, done func(b *blockState) []byte) []byte {
	b := &ss.dl
	if !b.active || b.next != cmd {
		ss.dl = blockState{}
		return errPacketData(xcp.ErrSequence, 0)
	}
	if n != b.remaining {
		want := b.remaining
		ss.dl = blockState{}
		return errPacketData(xcp.ErrSequence, uint8(want))
	}
	now := time.Now()
	if st := ss.slave.cfg.MinST; st > 0 && now.Sub(b.last) < time.Duration(st)*100*time.Microsecond {
		ss.slave.minSTViolations.Add(1)
	}
	b.last = now
	f := ss.format()
	per := f.MaxDownloadElements()
	take := min(n, per) * f.AG.Size()
	b.buf = append(b.buf, data[:take]...)
	b.remaining -= min(n, per)
	b.packets++
	if b.remaining > 0 {
		return nil
	}
	blk := *b
	ss.dl = blockState{}
	return done(&blk)
}

func (ss *session) downloadMax(c *xcp.DownloadMax) []byte {
	if code, ok := ss.writeAt(ss.mta, ss.mtaExt, c.Data); !ok {
		return errPacket(code)
	}
	ss.mta += uint32(len(c.Data))
	return ss.ok()
}

func (ss *session) shortDownload(c *xcp.ShortDownload) []byte {
	f := ss.format()
	if len(c.Data) == 0 || c.Validate(f) != nil {
		return errPacket(xcp.ErrOutOfRange)
	}
	if code, ok := ss.writeAt(c.Addr, c.Ext, c.Data); !ok {
		return errPacket(code)
	}
	ss.mta, ss.mtaExt = c.Addr+uint32(len(c.Data)), c.Ext
	return ss.ok()
}

func (ss *session) modifyBits(c *xcp.ModifyBits) []byte {
	f := ss.format()
	if err := ss.checkProtection(xcp.ResCalPag); err != nil {
		return errPacket(xcp.ErrAccessLocked)
	}
	if c.Shift >= 32 {
		return errPacket(xcp.ErrOutOfRange)
	}
	var b [4]byte
	if err := ss.slave.readMemLocked(ss.mta, ss.mtaExt, b[:]); err != nil {
		return errPacket(codeOf(err))
	}
	f.Order.PutUint32(b[:], c.Apply(f.Order.Uint32(b[:])))
	if code, ok := ss.writeAt(ss.mta, ss.mtaExt, b[:]); !ok {
		return errPacket(code)
	}
	return ss.ok()
}
