package master

import (
	"context"
	"errors"
	"fmt"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// Memory access: SET_MTA, UPLOAD, SHORT_UPLOAD, DOWNLOAD (+_NEXT, _MAX),
// SHORT_DOWNLOAD, MODIFY_BITS and the high-level Read and Write.
//
// Sizes of the low-level commands count elements of the address
// granularity (AG); Read and Write take byte counts that must be multiples
// of it. The master remembers the MTA and advances it after every transfer,
// so the error matrix can restore it with SET_MTA after a timeout.

// SetMTA sets the memory transfer address.
func (m *Master) SetMTA(ctx context.Context, addr uint32, ext uint8) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("SET_MTA"); err != nil {
		return err
	}
	return m.setMTA(ctx, addr, ext)
}

func (m *Master) setMTA(ctx context.Context, addr uint32, ext uint8) error {
	m.mta = mtaState{}
	_, err := m.do1(ctx, xcp.SetMTA{Addr: addr, Ext: ext}.Append(m.req[:0], m.format))
	if err != nil {
		return opErr("SET_MTA", err)
	}
	m.mta = mtaState{valid: true, addr: addr, ext: ext}
	return nil
}

// advanceMTA moves the remembered MTA after n elements were transferred.
func (m *Master) advanceMTA(n int) {
	m.mta.addr += uint32(n * m.format.AG.Size())
}

// Upload reads n elements (1..255) from the MTA. More than one packet's
// worth needs slave block mode (CONNECT announced it); without it the
// request is refused before anything is sent.
func (m *Master) Upload(ctx context.Context, n int) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("UPLOAD"); err != nil {
		return nil, err
	}
	dst := make([]byte, n*m.format.AG.Size())
	if err := m.upload(ctx, dst, n); err != nil {
		return nil, err
	}
	return dst, nil
}

// upload reads n elements from the MTA into dst (len n*AG).
func (m *Master) upload(ctx context.Context, dst []byte, n int) error {
	f := m.format
	switch {
	case n < 1 || n > 255:
		return opErr("UPLOAD", fmt.Errorf("%d elements: must be 1..255", n))
	case n > f.MaxUploadElements() && !m.conn0.SlaveBlockMode():
		return opErr("UPLOAD", fmt.Errorf("%d elements need slave block mode, which the slave does not offer (at most %d)", n, f.MaxUploadElements()))
	}
	k := f.UploadPackets(n)
	reqs := [1][]byte{xcp.Upload{N: uint8(n)}.Append(m.req[:0], f)}
	if _, err := m.call(ctx, reqs[:], 0, CallOptions{Responses: k}); err != nil {
		return opErr("UPLOAD", err)
	}
	if err := m.collectUpload(dst, n, k); err != nil {
		return opErr("UPLOAD", err)
	}
	m.advanceMTA(n)
	return nil
}

// collectUpload copies the k response packets of an upload of n elements.
func (m *Master) collectUpload(dst []byte, n, k int) error {
	f := m.format
	per := f.MaxUploadElements()
	ag := f.AG.Size()
	var r xcp.UploadResponse
	for i := range k {
		e := min(per, n-i*per)
		if err := r.DecodeElems(m.response(i), f, e); err != nil {
			return fmt.Errorf("response %d of %d: %w", i+1, k, err)
		}
		copy(dst[i*per*ag:], r.Data)
	}
	return nil
}

// ShortUpload reads n elements (at most one packet) from addr/ext.
func (m *Master) ShortUpload(ctx context.Context, addr uint32, ext uint8, n int) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("SHORT_UPLOAD"); err != nil {
		return nil, err
	}
	dst := make([]byte, n*m.format.AG.Size())
	if err := m.shortUpload(ctx, dst, addr, ext, n); err != nil {
		return nil, err
	}
	return dst, nil
}

func (m *Master) shortUpload(ctx context.Context, dst []byte, addr uint32, ext uint8, n int) error {
	if n < 1 || n > 255 {
		return opErr("SHORT_UPLOAD", fmt.Errorf("%d elements: must be 1..255", n))
	}
	c := xcp.ShortUpload{N: uint8(n), Ext: ext, Addr: addr}
	if err := c.Validate(m.format); err != nil {
		return opErr("SHORT_UPLOAD", err)
	}
	p, err := m.do1(ctx, c.Append(m.req[:0], m.format))
	if err != nil {
		return opErr("SHORT_UPLOAD", err)
	}
	var r xcp.UploadResponse
	if err := r.DecodeElems(p, m.format, n); err != nil {
		return opErr("SHORT_UPLOAD", err)
	}
	copy(dst, r.Data)
	// SHORT_UPLOAD leaves the MTA after the data read.
	m.mta = mtaState{valid: true, addr: addr + uint32(len(r.Data)), ext: ext}
	return nil
}

// checkLen verifies a byte count against the address granularity.
func (m *Master) checkLen(op string, n int) error {
	if ag := m.format.AG.Size(); n%ag != 0 {
		return opErr(op, fmt.Errorf("%d bytes are not a multiple of the address granularity %s (%d bytes)", n, m.format.AG, ag))
	}
	return nil
}

// Read reads n bytes starting at addr/ext, of any length: one SHORT_UPLOAD
// when it fits a packet, otherwise SET_MTA and UPLOADs of up to 255
// elements (several response packets each in slave block mode). With an
// address granularity of WORD or DWORD, an object that does not start and
// end on element boundaries is read through the elements that enclose it
// (addresses are byte addresses).
func (m *Master) Read(ctx context.Context, addr uint32, ext uint8, n int) ([]byte, error) {
	return m.ReadWith(ctx, addr, ext, n, ReadOptions{})
}

// ReadOptions are the options of ReadWith and FetchA2LWith.
type ReadOptions struct {
	// Progress, if not nil, is called after each packet or block of a
	// transfer (SHORT_UPLOAD, UPLOAD) with the bytes read so far and the
	// total: done grows monotonically and the last call of a transfer
	// that succeeds has done == total. It runs on the reading goroutine
	// while the master is busy with the transfer: it must return quickly
	// and must not call the master.
	Progress func(done, total int64)
}

// ReadWith is Read with options (a progress callback for long reads).
func (m *Master) ReadWith(ctx context.Context, addr uint32, ext uint8, n int, o ReadOptions) ([]byte, error) {
	if n < 0 {
		return nil, opErr("read", fmt.Errorf("negative length %d", n))
	}
	dst := make([]byte, n)
	if err := m.readIntoWith(ctx, addr, ext, dst, o.Progress); err != nil {
		return nil, err
	}
	return dst, nil
}

// ReadInto is Read into a caller-supplied buffer (len(dst) bytes); it does
// not allocate in steady state (for whole, aligned elements).
func (m *Master) ReadInto(ctx context.Context, addr uint32, ext uint8, dst []byte) error {
	return m.readIntoWith(ctx, addr, ext, dst, nil)
}

func (m *Master) readIntoWith(ctx context.Context, addr uint32, ext uint8, dst []byte, progress func(done, total int64)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("read"); err != nil {
		return err
	}
	if start, total, ok := m.enclosing(addr, len(dst)); !ok {
		// An object that does not cover whole elements (AG WORD or DWORD):
		// read the elements that enclose it.
		buf := make([]byte, total)
		if err := m.readInto(ctx, start, ext, buf, scaleProgress(progress, int64(len(dst)))); err != nil {
			return err
		}
		copy(dst, buf[addr-start:])
		return nil
	}
	return m.readInto(ctx, addr, ext, dst, progress)
}

// scaleProgress reports a transfer of any total as n bytes (the enclosing
// elements of an unaligned read as the bytes asked for).
func scaleProgress(p func(done, total int64), n int64) func(done, total int64) {
	if p == nil {
		return nil
	}
	return func(done, total int64) {
		if total > 0 {
			done = done * n / total
		}
		p(done, n)
	}
}

// enclosing returns the element-aligned range [start, start+total) that
// encloses n bytes at addr; ok is true if that is the range itself.
func (m *Master) enclosing(addr uint32, n int) (start uint32, total int, ok bool) {
	ag := uint32(m.format.AG.Size())
	if ag <= 1 || n == 0 {
		return addr, n, true
	}
	start = addr &^ (ag - 1)
	end := (uint64(addr) + uint64(n) + uint64(ag) - 1) &^ uint64(ag-1)
	total = int(end - uint64(start))
	return start, total, start == addr && total == n
}

// readInto reads whole elements at an aligned address, calling progress
// (if not nil) after each packet; callers hold m.mu.
func (m *Master) readInto(ctx context.Context, addr uint32, ext uint8, dst []byte, progress func(done, total int64)) error {
	if err := m.checkLen("read", len(dst)); err != nil {
		return err
	}
	if len(dst) == 0 {
		return nil
	}
	f := m.format
	ag := f.AG.Size()
	elems := len(dst) / ag
	if elems <= f.MaxUploadElements() && !m.unusable[xcp.CmdShortUpload] {
		err := m.shortUpload(ctx, dst, addr, ext, elems)
		if err == nil && progress != nil {
			progress(int64(len(dst)), int64(len(dst)))
		}
		if !errors.Is(err, xcp.ErrCmdUnknown) {
			return err
		}
	}
	if err := m.setMTA(ctx, addr, ext); err != nil {
		return err
	}
	chunk := f.MaxUploadElements()
	if m.conn0.SlaveBlockMode() {
		chunk = 255 / chunk * chunk // whole packets only
	}
	for off := 0; off < elems; {
		n := min(chunk, elems-off)
		if err := m.upload(ctx, dst[off*ag:(off+n)*ag], n); err != nil {
			return fmt.Errorf("%w (reading 0x%X+%d)", err, addr, off*ag)
		}
		off += n
		if progress != nil {
			progress(int64(off*ag), int64(len(dst)))
		}
	}
	return nil
}

// Download writes data at the MTA with one DOWNLOAD, or — when data needs
// more than one packet and the slave offers master block mode — with
// DOWNLOAD followed by DOWNLOAD_NEXT packets within MAX_BS and MIN_ST.
// data holds at most 255 elements.
func (m *Master) Download(ctx context.Context, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("DOWNLOAD"); err != nil {
		return err
	}
	if err := m.checkLen("DOWNLOAD", len(data)); err != nil {
		return err
	}
	plan, err := m.planBlocks(ctx, m.format, false)
	if err != nil {
		return opErr("DOWNLOAD", err)
	}
	if n := len(data) / m.format.AG.Size(); n > plan.elems || n == 0 {
		return opErr("DOWNLOAD", fmt.Errorf("%d elements: must be 1..%d (one packet, or one master block)", n, plan.elems))
	}
	return m.downloadBlock(ctx, data, m.format, plan, xcp.CmdDownload, xcp.CmdDownloadNext)
}

// downloadBlock sends data (at most plan.elems elements) as one DOWNLOAD or
// PROGRAM, followed by _NEXT packets in master block mode, and waits for
// the single response.
func (m *Master) downloadBlock(ctx context.Context, data []byte, f xcp.Format, plan blockPlan, first, next xcp.Command) error {
	ag := f.AG.Size()
	total := len(data) / ag
	npk := (total + plan.per - 1) / plan.per
	need := npk * f.CTO()
	if cap(m.ext.blockBuf) < need {
		m.ext.blockBuf = make([]byte, 0, need)
	}
	buf := m.ext.blockBuf[:0]
	reqs := m.ext.blockReqs[:0]
	for i := range npk {
		e := min(plan.per, total-i*plan.per)
		cmd := first
		if i > 0 {
			cmd = next
		}
		start := len(buf)
		buf = appendBlockPacket(buf, cmd, uint8(total-i*plan.per), data[i*plan.per*ag:(i*plan.per+e)*ag], f)
		reqs = append(reqs, buf[start:len(buf):len(buf)])
	}
	m.ext.blockBuf, m.ext.blockReqs = buf, reqs
	if _, err := m.call(ctx, reqs, plan.gap, CallOptions{}); err != nil {
		return opErr(first.String(), err)
	}
	m.advanceMTA(total)
	return nil
}

// appendBlockPacket encodes one DOWNLOAD/DOWNLOAD_NEXT/PROGRAM/PROGRAM_NEXT.
func appendBlockPacket(b []byte, cmd xcp.Command, n uint8, data []byte, f xcp.Format) []byte {
	switch cmd {
	case xcp.CmdDownload:
		return xcp.Download{N: n, Data: data}.Append(b, f)
	case xcp.CmdDownloadNext:
		return xcp.DownloadNext{N: n, Data: data}.Append(b, f)
	case xcp.CmdProgram:
		return xcp.Program{N: n, Data: data}.Append(b, f)
	}
	return xcp.ProgramNext{N: n, Data: data}.Append(b, f)
}

// DownloadNext sends one DOWNLOAD_NEXT packet of a master block transfer
// that the caller drives itself: remaining is the number of elements still
// to transfer including this packet's. Only the last packet of a block is
// answered, so DownloadNext waits for a response only when data completes
// the block. Most callers want Download or Write instead.
func (m *Master) DownloadNext(ctx context.Context, remaining uint8, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("DOWNLOAD_NEXT"); err != nil {
		return err
	}
	c := xcp.DownloadNext{N: remaining, Data: data}
	if err := c.Validate(m.format); err != nil {
		return opErr("DOWNLOAD_NEXT", err)
	}
	req := c.Append(m.req[:0], m.format)
	if len(data)/m.format.AG.Size() < int(remaining) {
		if err := m.conn.Send(ctx, req); err != nil {
			return opErr("DOWNLOAD_NEXT", err)
		}
		m.advanceMTA(len(data) / m.format.AG.Size())
		return nil
	}
	if _, err := m.do1(ctx, req); err != nil {
		return opErr("DOWNLOAD_NEXT", err)
	}
	m.advanceMTA(len(data) / m.format.AG.Size())
	return nil
}

// DownloadMax writes exactly one full packet of data (Format().MaxUploadElements()
// elements) at the MTA.
func (m *Master) DownloadMax(ctx context.Context, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("DOWNLOAD_MAX"); err != nil {
		return err
	}
	c := xcp.DownloadMax{Data: data}
	if err := c.Validate(m.format); err != nil {
		return opErr("DOWNLOAD_MAX", err)
	}
	if err := m.simple(ctx, "DOWNLOAD_MAX", c.Append(m.req[:0], m.format)); err != nil {
		return err
	}
	m.advanceMTA(len(data) / m.format.AG.Size())
	return nil
}

// ShortDownload writes data (at most (MAX_CTO-8)/AG elements) at addr/ext.
func (m *Master) ShortDownload(ctx context.Context, addr uint32, ext uint8, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("SHORT_DOWNLOAD"); err != nil {
		return err
	}
	return m.shortDownload(ctx, addr, ext, data)
}

func (m *Master) shortDownload(ctx context.Context, addr uint32, ext uint8, data []byte) error {
	c := xcp.ShortDownload{Ext: ext, Addr: addr, Data: data}
	if err := c.Validate(m.format); err != nil {
		return opErr("SHORT_DOWNLOAD", err)
	}
	if err := m.simple(ctx, "SHORT_DOWNLOAD", c.Append(m.req[:0], m.format)); err != nil {
		return err
	}
	m.mta = mtaState{valid: true, addr: addr + uint32(len(data)), ext: ext}
	return nil
}

// ModifyBits changes bits of the 32-bit value at the MTA (see
// xcp.ModifyBits.Apply for the formula).
func (m *Master) ModifyBits(ctx context.Context, shift uint8, andMask, xorMask uint16) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.simple(ctx, "MODIFY_BITS", xcp.ModifyBits{Shift: shift, AndMask: andMask, XorMask: xorMask}.Append(m.req[:0], m.format))
}

// Write writes data at addr/ext, of any length: one SHORT_DOWNLOAD when it
// fits a packet, otherwise SET_MTA and DOWNLOADs — in master block mode
// (DOWNLOAD + DOWNLOAD_NEXT, at most MAX_BS packets MIN_ST apart) when the
// slave offers it. With an address granularity of WORD or DWORD, data that
// does not cover whole elements is written by read-modify-write of the
// enclosing elements (addresses are byte addresses).
func (m *Master) Write(ctx context.Context, addr uint32, ext uint8, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.needSession("write"); err != nil {
		return err
	}
	if start, total, ok := m.enclosing(addr, len(data)); !ok {
		// An object that does not cover whole elements (AG WORD or DWORD):
		// read-modify-write of the elements that enclose it. The other
		// bytes of those elements are written back unchanged (the slave
		// must not change them meanwhile).
		buf := make([]byte, total)
		if err := m.readInto(ctx, start, ext, buf, nil); err != nil {
			return fmt.Errorf("%w (reading the enclosing elements for a read-modify-write)", err)
		}
		copy(buf[addr-start:], data)
		return m.write(ctx, start, ext, buf)
	}
	return m.write(ctx, addr, ext, data)
}

// write writes whole elements at an aligned address; callers hold m.mu.
func (m *Master) write(ctx context.Context, addr uint32, ext uint8, data []byte) error {
	if err := m.checkLen("write", len(data)); err != nil {
		return err
	}
	if len(data) == 0 {
		return nil
	}
	f := m.format
	ag := f.AG.Size()
	elems := len(data) / ag
	if elems <= f.MaxShortDownload() && !m.unusable[xcp.CmdShortDownload] {
		err := m.shortDownload(ctx, addr, ext, data)
		if !errors.Is(err, xcp.ErrCmdUnknown) {
			return err
		}
	}
	plan, err := m.planBlocks(ctx, f, false)
	if err != nil {
		return opErr("write", err)
	}
	if err := m.setMTA(ctx, addr, ext); err != nil {
		return err
	}
	for off := 0; off < elems; {
		n := min(plan.elems, elems-off)
		if err := m.downloadBlock(ctx, data[off*ag:(off+n)*ag], f, plan, xcp.CmdDownload, xcp.CmdDownloadNext); err != nil {
			return fmt.Errorf("%w (writing 0x%X+%d)", err, addr, off*ag)
		}
		off += n
	}
	return nil
}
