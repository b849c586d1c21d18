package sxi

import "encoding/binary"

// Decoder splits a byte stream into XCP packets. It resynchronises after
// garbage: with SYNC/ESC framing at the next SYNC character, otherwise by
// sliding one byte at a time until a frame with a plausible LEN (and a
// matching checksum, if the tail has one) appears. Discarded bytes are
// counted, never fatal. The zero value is not usable; use NewDecoder.
type Decoder struct {
	f         Framing
	sync, esc byte
	buf       []byte // unescaped bytes not yet consumed
	off       int    // start of unconsumed bytes in buf
	inFrame   bool   // SYNC/ESC mode: a SYNC started the frame in buf
	escaped   bool   // SYNC/ESC mode: the previous byte was ESC
	garbage   uint64
	frames    uint64
}

// NewDecoder returns a decoder for framing f.
func NewDecoder(f Framing) *Decoder {
	s, e := f.chars()
	return &Decoder{f: f, sync: s, esc: e, buf: make([]byte, 0, 4096)}
}

// Garbage returns the number of bytes discarded so far.
func (d *Decoder) Garbage() uint64 { return d.garbage }

// Frames returns the number of valid frames decoded so far.
func (d *Decoder) Frames() uint64 { return d.frames }

// Pending reports whether a partial frame is buffered.
func (d *Decoder) Pending() bool { return len(d.buf)-d.off > 0 || d.inFrame }

// Reset discards a partial frame (counted as garbage), e.g. after an
// inter-byte timeout.
func (d *Decoder) Reset() {
	d.garbage += uint64(len(d.buf) - d.off)
	d.buf, d.off = d.buf[:0], 0
	d.inFrame, d.escaped = false, false
}

// Flush is called when the line has gone idle with a partial frame
// buffered (an inter-byte timeout): that frame will never complete. In
// SYNC/ESC mode the partial frame is discarded; otherwise the decoder
// discards one byte at a time and rescans, so complete frames behind a
// corrupted length are still found. Discarded bytes count as garbage.
func (d *Decoder) Flush(emit func(packet []byte, ctr uint16)) {
	if d.f.SyncEsc {
		if d.inFrame {
			d.dropFrame(0)
		}
		return
	}
	for d.off < len(d.buf) {
		d.off++
		d.garbage++
		d.scan(emit)
	}
	d.compact()
}

// Feed consumes b and calls emit for each complete valid packet, with the
// frame's counter (0 for header formats without CTR). The packet slice is
// valid only during the call.
func (d *Decoder) Feed(b []byte, emit func(packet []byte, ctr uint16)) {
	if !d.f.SyncEsc {
		d.buf = append(d.buf, b...)
		d.scan(emit)
		d.compact()
		return
	}
	for _, c := range b {
		switch {
		case d.escaped:
			d.escaped = false
			if c != d.sync && c != d.esc {
				// ESC followed by an ordinary byte: broken frame.
				d.dropFrame(1)
				continue
			}
			d.buf = append(d.buf, c)
		case c == d.sync:
			if d.inFrame {
				d.dropFrame(0) // an unfinished frame is cut by the next SYNC
			}
			d.inFrame = true
			d.buf, d.off = d.buf[:0], 0
			continue
		case !d.inFrame:
			d.garbage++
			continue
		case c == d.esc:
			d.escaped = true
			continue
		default:
			d.buf = append(d.buf, c)
		}
		if d.inFrame {
			d.tryFramed(emit)
		}
	}
}

// dropFrame discards the frame in progress; extra counts bytes not in buf.
func (d *Decoder) dropFrame(extra int) {
	d.garbage += uint64(len(d.buf)-d.off) + uint64(extra)
	if d.inFrame {
		d.garbage++ // its SYNC
	}
	d.buf, d.off = d.buf[:0], 0
	d.inFrame, d.escaped = false, false
}

// frameLen returns the total unescaped length of the frame at p (header,
// packet, fill, tail) and the packet length, or ok=false if the header is
// not complete yet. bad reports an impossible LEN.
func (d *Decoder) frameLen(p []byte) (total, n int, ok, bad bool) {
	h := d.f.Header
	if len(p) < h.size() {
		return 0, 0, false, false
	}
	if h.word() {
		n = int(binary.LittleEndian.Uint16(p))
	} else {
		n = int(p[0])
	}
	if n == 0 || n > d.f.maxPacket() {
		return 0, n, true, true
	}
	total = h.size() + n
	if d.f.tailFill(n) {
		total++
	}
	switch d.f.Tail {
	case ChecksumByte:
		total++
	case ChecksumWord:
		total += 2
	}
	return total, n, true, false
}

// check verifies the tail of the complete frame p and emits its packet.
func (d *Decoder) check(p []byte, n int, emit func([]byte, uint16)) bool {
	h := d.f.Header
	body := len(p)
	switch d.f.Tail {
	case ChecksumByte:
		body--
		if byte(d.f.checksum(p[:body])) != p[body] {
			return false
		}
	case ChecksumWord:
		body -= 2
		if d.f.checksum(p[:body]) != binary.LittleEndian.Uint16(p[body:]) {
			return false
		}
	}
	var ctr uint16
	if h.hasCtr() {
		if h.word() {
			ctr = binary.LittleEndian.Uint16(p[2:])
		} else {
			ctr = uint16(p[1])
		}
	}
	d.frames++
	emit(p[h.size():h.size()+n], ctr)
	return true
}

// tryFramed completes a SYNC-delimited frame once all its bytes are in.
func (d *Decoder) tryFramed(emit func([]byte, uint16)) {
	p := d.buf
	total, n, ok, bad := d.frameLen(p)
	if !ok {
		return
	}
	if bad {
		d.dropFrame(0)
		return
	}
	if len(p) < total {
		return
	}
	if !d.check(p[:total], n, emit) {
		d.dropFrame(0)
		return
	}
	d.buf, d.off = d.buf[:0], 0
	d.inFrame = false
}

// scan extracts frames from an unframed byte stream.
func (d *Decoder) scan(emit func([]byte, uint16)) {
	for {
		p := d.buf[d.off:]
		total, n, ok, bad := d.frameLen(p)
		if !ok {
			return
		}
		if bad {
			d.off++
			d.garbage++
			continue
		}
		if len(p) < total {
			return
		}
		if !d.check(p[:total], n, emit) {
			d.off++
			d.garbage++
			continue
		}
		d.off += total
	}
}

func (d *Decoder) compact() {
	if d.off == 0 {
		return
	}
	n := copy(d.buf, d.buf[d.off:])
	d.buf, d.off = d.buf[:n], 0
}
