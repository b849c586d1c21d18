package record

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/pierrec/lz4/v4"
)

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("record: writer closed")

// Options tune a Writer. The zero value is usable.
type Options struct {
	// ChunkSize is the uncompressed size at which a chunk is handed to the
	// disk goroutine (default 256 KiB).
	ChunkSize int
	// Buffers is the number of chunk buffers (default 8, at least 2).
	// Memory use is about (Buffers + 1) × ChunkSize plus at most 2 MiB of
	// index, independent of the recording's length.
	Buffers int
	// FlushInterval bounds how long a partly filled chunk waits before it
	// is written (default 250 ms), and so how much a crash can lose.
	FlushInterval time.Duration
	// SyncInterval, if positive, makes the writer fsync the file at most
	// this often; Close always syncs files.
	SyncInterval time.Duration
	// Logger receives warnings (disk too slow, write errors); nil discards.
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.ChunkSize <= 0 {
		o.ChunkSize = 256 << 10
	}
	if o.ChunkSize > MaxBlockSize-MaxFrameSize-16 {
		o.ChunkSize = MaxBlockSize - MaxFrameSize - 16
	}
	if o.Buffers <= 0 {
		o.Buffers = 8
	}
	o.Buffers = max(o.Buffers, 2) // one filling, one being written
	if o.FlushInterval <= 0 {
		o.FlushInterval = 250 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Loss holds the loss counters of one DAQ list, as counted by the receive
// path (ASAM XCP: CTR gaps of the transport, missing or out-of-order ODTs,
// overload indications).
type Loss struct {
	List        int    `json:"list"` // DAQ list number
	CtrGaps     uint64 `json:"ctr_gaps,omitempty"`
	MissingODTs uint64 `json:"missing_odts,omitempty"`
	Overloads   uint64 `json:"overloads,omitempty"`
}

// Stats are a recording's counters. The writer stores cumulative snapshots
// in stats blocks; the last one in a file is the final state.
type Stats struct {
	Frames uint64 `json:"frames"` // frames accepted
	Bytes  uint64 `json:"bytes"`  // frame bytes accepted
	// Dropped counts frames the writer had to drop because all chunk
	// buffers were waiting for the disk; DroppedBytes their size.
	Dropped      uint64 `json:"dropped,omitempty"`
	DroppedBytes uint64 `json:"dropped_bytes,omitempty"`
	Chunks       uint64 `json:"chunks"`     // frame blocks written
	FileBytes    int64  `json:"file_bytes"` // bytes written to the file
	// Unwritten counts frames that were accepted but are not in the file
	// because writing failed (disk full, I/O error); Frames minus
	// Unwritten frames are stored.
	Unwritten uint64 `json:"unwritten,omitempty"`
	// Lists are the loss counters last given to SetLoss.
	Lists []Loss `json:"lists,omitempty"`
	// BusErrorFrames counts the error frames the bus reported (CAN: bus
	// errors, controller state changes) and BusOff how often the
	// controller went bus-off, as last given to SetBusErrors.
	BusErrorFrames uint64 `json:"bus_error_frames,omitempty"`
	BusOff         uint64 `json:"bus_off,omitempty"`
	// Interruptions are the times the measurement was interrupted (the
	// connection to the slave lost), as last given to SetInterruptions.
	Interruptions []Interruption `json:"interruptions,omitempty"`
}

// UnmarshalJSON reads loss counters with today's snake_case keys and the
// camelCase keys of stats blocks written before metadata version 3.
func (l *Loss) UnmarshalJSON(b []byte) error {
	type plain Loss
	var x struct {
		plain
		OldCtrGaps     uint64 `json:"ctrGaps"`     // old key
		OldMissingODTs uint64 `json:"missingOdts"` // old key
	}
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	*l = Loss(x.plain)
	l.CtrGaps = max(l.CtrGaps, x.OldCtrGaps)
	l.MissingODTs = max(l.MissingODTs, x.OldMissingODTs)
	return nil
}

// UnmarshalJSON reads a stats block with today's snake_case keys and the
// camelCase keys of stats blocks written before metadata version 3.
func (s *Stats) UnmarshalJSON(b []byte) error {
	type plain Stats
	var x struct {
		plain
		OldDroppedBytes   uint64 `json:"droppedBytes"`   // old key
		OldFileBytes      int64  `json:"fileBytes"`      // old key
		OldBusErrorFrames uint64 `json:"busErrorFrames"` // old key
		OldBusOff         uint64 `json:"busOff"`         // old key
	}
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	*s = Stats(x.plain)
	s.DroppedBytes = max(s.DroppedBytes, x.OldDroppedBytes)
	s.FileBytes = max(s.FileBytes, x.OldFileBytes)
	s.BusErrorFrames = max(s.BusErrorFrames, x.OldBusErrorFrames)
	s.BusOff = max(s.BusOff, x.OldBusOff)
	return nil
}

// Interruption is a time the measurement was interrupted: no frames were
// received from Start to End (host times in ns since Meta.Start, like
// frame times). End is 0 while the interruption lasts, and stays 0 if the
// recording ended during it.
type Interruption struct {
	Start int64  `json:"start"`
	End   int64  `json:"end,omitempty"`
	Cause string `json:"cause"`
}

type chunk struct {
	buf         []byte // encoded records
	n           uint32
	first, last int64
	started     time.Time
}

// Writer writes a recording. Write and SetLoss may be called from any
// goroutine (typically the receive goroutine) and never wait for the disk;
// a goroutine started by Create/NewWriter writes chunks. Close finalises
// the file and must be called once.
type Writer struct {
	opts Options
	out  io.Writer
	file *os.File // nil if out is not a file

	mu        sync.Mutex
	cur       *chunk
	stats     Stats
	lossDirty bool
	err       error
	closed    bool
	dropping  bool

	free chan *chunk
	full chan *chunk
	done chan struct{}

	// owned by the disk goroutine
	seq      uint32
	offset   int64
	index    []IndexEntry // every stride-th frames block
	stride   uint64
	chunks   uint64 // frames blocks written
	firstT   int64  // first and last host time written
	lastT    int64
	outBuf   []byte
	lastSync time.Time
	lastStat Stats
	comp     lz4.Compressor
}

// Create creates (truncating) the file at path and starts a Writer on it.
func Create(path string, meta *Meta, opts Options) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	w, err := newWriter(f, f, meta, opts)
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return w, nil
}

// NewWriter starts a Writer on out. If out is an *os.File it is synced
// and closed by Close; other writers are left open.
func NewWriter(out io.Writer, meta *Meta, opts Options) (*Writer, error) {
	f, _ := out.(*os.File)
	return newWriter(out, f, meta, opts)
}

func newWriter(out io.Writer, f *os.File, meta *Meta, opts Options) (*Writer, error) {
	opts.defaults()
	if meta == nil {
		meta = &Meta{}
	}
	if len(meta.DAQ.Lists) > 0 {
		if err := meta.DAQ.Validate(); err != nil {
			return nil, err
		}
	}
	js, err := marshalMeta(meta)
	if err != nil {
		return nil, fmt.Errorf("record: metadata: %w", err)
	}
	if len(js) > MaxMetaSize {
		return nil, fmt.Errorf("record: metadata of %d bytes exceeds %d", len(js), MaxMetaSize)
	}
	hdr := make([]byte, fileHeaderFixed, fileHeaderFixed+len(js)+4)
	copy(hdr, fileMagic[:])
	le := binary.LittleEndian
	le.PutUint16(hdr[8:], FormatVersion)
	le.PutUint32(hdr[12:], uint32(len(js)))
	le.PutUint64(hdr[16:], uint64(time.Now().UnixNano()))
	hdr = append(hdr, js...)
	hdr = le.AppendUint32(hdr, crc32.Checksum(hdr, castagnoli))
	if _, err := out.Write(hdr); err != nil {
		return nil, fmt.Errorf("record: write header: %w", err)
	}
	w := &Writer{
		opts:   opts,
		out:    out,
		file:   f,
		free:   make(chan *chunk, opts.Buffers),
		full:   make(chan *chunk, opts.Buffers),
		done:   make(chan struct{}),
		offset: int64(len(hdr)),
		outBuf: make([]byte, blockHeaderSize+lz4.CompressBlockBound(opts.ChunkSize+MaxFrameSize+16)),
	}
	w.stats.FileBytes = w.offset
	for range opts.Buffers {
		w.free <- &chunk{buf: make([]byte, 0, opts.ChunkSize+64)}
	}
	go w.run()
	return w, nil
}

// Write appends one frame (an XCP packet, PID first) received at timeNS
// nanoseconds after Meta.Start. The frame is copied. Write never blocks on
// the disk: if all chunk buffers are waiting to be written, the frame is
// dropped and counted in Stats.Dropped. It returns the first write error
// of the disk goroutine, ErrClosed after Close, or an error for a frame
// larger than MaxFrameSize.
func (w *Writer) Write(timeNS int64, frame []byte) error {
	if len(frame) > MaxFrameSize {
		return fmt.Errorf("record: frame of %d bytes exceeds %d", len(frame), MaxFrameSize)
	}
	w.mu.Lock()
	if w.closed || w.err != nil {
		err := w.err
		w.mu.Unlock()
		if err == nil {
			err = ErrClosed
		}
		return err
	}
	c := w.cur
	if c == nil {
		select {
		case c = <-w.free:
			c.first, c.last, c.started = timeNS, timeNS, time.Now()
			w.cur = c
			if w.dropping {
				w.dropping = false
				w.opts.Logger.Warn("record: disk caught up", "dropped", w.stats.Dropped)
			}
		default:
			w.stats.Dropped++
			w.stats.DroppedBytes += uint64(len(frame))
			if !w.dropping {
				w.dropping = true
				w.opts.Logger.Warn("record: disk too slow, dropping frames")
			}
			w.mu.Unlock()
			return nil
		}
	}
	c.buf = binary.AppendUvarint(c.buf, zigzag(timeNS-c.last))
	c.buf = binary.AppendUvarint(c.buf, uint64(len(frame)))
	c.buf = append(c.buf, frame...)
	c.last = timeNS
	c.n++
	w.stats.Frames++
	w.stats.Bytes += uint64(len(frame))
	if len(c.buf) >= w.opts.ChunkSize {
		w.full <- c // never blocks: capacity equals the number of buffers
		w.cur = nil
	}
	w.mu.Unlock()
	return nil
}

// SetLoss records the current cumulative loss counters per DAQ list. They
// are written to the file with the next chunk and at Close.
//
// It is cheap to call often (e.g. from a status ticker): a stats block is
// written only when a counter changed, at most once per chunk or flush
// interval, so a crash loses at most that much of the loss history.
func (w *Writer) SetLoss(lists []Loss) {
	w.mu.Lock()
	if !slices.Equal(w.stats.Lists, lists) {
		w.stats.Lists = append(w.stats.Lists[:0], lists...)
		w.lossDirty = true
	}
	w.mu.Unlock()
}

// SetBusErrors records the bus health counters of the measurement so far
// (cumulative). Like SetLoss, they are written with the next chunk, flush
// interval and at Close.
func (w *Writer) SetBusErrors(errorFrames, busOff uint64) {
	w.mu.Lock()
	if w.stats.BusErrorFrames != errorFrames || w.stats.BusOff != busOff {
		w.stats.BusErrorFrames, w.stats.BusOff = errorFrames, busOff
		w.lossDirty = true
	}
	w.mu.Unlock()
}

// SetInterruptions records the interruptions of the measurement so far
// (all of them, the last possibly still open). Like SetLoss, they are
// written with the next chunk, flush interval and at Close.
func (w *Writer) SetInterruptions(list []Interruption) {
	w.mu.Lock()
	if !slices.Equal(w.stats.Interruptions, list) {
		w.stats.Interruptions = append(w.stats.Interruptions[:0], list...)
		w.lossDirty = true
	}
	w.mu.Unlock()
}

// Err returns the first write error (nil while writing works).
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Stats returns a snapshot of the counters.
func (w *Writer) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.stats
	s.Lists = append([]Loss(nil), s.Lists...)
	s.Interruptions = append([]Interruption(nil), s.Interruptions...)
	return s
}

// Close writes the pending chunk, the final stats, the index and the
// trailer, syncs and closes a file, and stops the goroutine. It returns
// the first write error.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		<-w.done
		return ErrClosed
	}
	w.closed = true
	if w.cur != nil && w.cur.n > 0 {
		w.full <- w.cur
	}
	w.cur = nil
	close(w.full)
	w.mu.Unlock()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *Writer) setErr(err error) {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
		w.opts.Logger.Error("record: write failed", "err", err)
	}
	w.mu.Unlock()
}

func (w *Writer) failed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err != nil
}

// run is the disk goroutine.
func (w *Writer) run() {
	defer close(w.done)
	tick := time.NewTicker(w.opts.FlushInterval / 2)
	defer tick.Stop()
	for {
		select {
		case c, ok := <-w.full:
			if !ok {
				w.finish()
				return
			}
			w.writeChunk(c)
			w.maybeStats(false)
			w.maybeSync()
		case now := <-tick.C:
			w.mu.Lock()
			if c := w.cur; c != nil && c.n > 0 && !w.closed && now.Sub(c.started) >= w.opts.FlushInterval {
				w.full <- c
				w.cur = nil
			}
			w.mu.Unlock()
			w.maybeStats(false)
		}
	}
}

func (w *Writer) writeChunk(c *chunk) {
	defer func() {
		c.buf, c.n = c.buf[:0], 0
		w.free <- c
	}()
	if w.failed() {
		w.addUnwritten(c.n)
		return
	}
	h := blockHeader{typ: blockFrames, codec: codecLZ4, records: c.n, raw: uint32(len(c.buf)), first: c.first, last: c.last, seq: w.seq}
	dst := w.outBuf[blockHeaderSize:]
	n, err := w.comp.CompressBlock(c.buf, dst)
	if err != nil || n == 0 || n >= len(c.buf) {
		h.codec = codecNone
		n = copy(dst, c.buf)
	}
	h.stored = uint32(n)
	h.payloadCRC = crc32.Checksum(dst[:n], castagnoli)
	h.put(w.outBuf)
	off := w.offset
	if !w.writeBlock(w.outBuf[:blockHeaderSize+n]) {
		w.addUnwritten(c.n)
		return
	}
	w.addIndex(IndexEntry{Offset: off, Records: c.n, Seq: h.seq, First: c.first, Last: c.last})
	w.mu.Lock()
	w.stats.Chunks++
	w.mu.Unlock()
}

func (w *Writer) addUnwritten(n uint32) {
	w.mu.Lock()
	w.stats.Unwritten += uint64(n)
	w.mu.Unlock()
}

// writeBlock writes one block with one call and advances seq and offset.
func (w *Writer) writeBlock(b []byte) bool {
	if _, err := w.out.Write(b); err != nil {
		w.setErr(fmt.Errorf("record: write block at offset %d: %w", w.offset, err))
		return false
	}
	w.seq++
	w.offset += int64(len(b))
	w.mu.Lock()
	w.stats.FileBytes = w.offset
	w.mu.Unlock()
	return true
}

// maybeStats writes a stats block if loss or drop counters changed (or
// always when final).
func (w *Writer) maybeStats(final bool) {
	w.mu.Lock()
	changed := w.lossDirty || w.stats.Dropped != w.lastStat.Dropped
	s := w.stats
	s.Lists = append([]Loss(nil), s.Lists...)
	s.Interruptions = append([]Interruption(nil), s.Interruptions...)
	w.lossDirty = false
	w.mu.Unlock()
	if !changed && !final {
		return
	}
	w.lastStat = s
	js, err := json.Marshal(&s)
	if err != nil {
		w.setErr(fmt.Errorf("record: stats: %w", err))
		return
	}
	w.writeRaw(blockStats, js, 1)
}

// writeRaw writes an uncompressed block.
func (w *Writer) writeRaw(typ uint8, payload []byte, records uint32) bool {
	if w.failed() {
		return false
	}
	b := make([]byte, blockHeaderSize, blockHeaderSize+len(payload))
	h := blockHeader{typ: typ, codec: codecNone, records: records, stored: uint32(len(payload)), raw: uint32(len(payload)),
		payloadCRC: crc32.Checksum(payload, castagnoli), seq: w.seq}
	if w.chunks > 0 {
		h.first, h.last = w.firstT, w.lastT
	}
	h.put(b)
	return w.writeBlock(append(b, payload...))
}

func (w *Writer) maybeSync() {
	if w.file == nil || w.opts.SyncInterval <= 0 || time.Since(w.lastSync) < w.opts.SyncInterval {
		return
	}
	w.lastSync = time.Now()
	if err := w.file.Sync(); err != nil {
		w.setErr(fmt.Errorf("record: sync: %w", err))
	}
}

func (w *Writer) finish() {
	w.maybeStats(true)
	idx := make([]byte, 0, len(w.index)*indexEntrySize)
	for _, e := range w.index {
		idx = appendIndexEntry(idx, e)
	}
	indexOff := w.offset
	if w.writeRaw(blockIndex, idx, uint32(len(w.index))) {
		var t [trailerSize]byte
		binary.LittleEndian.PutUint64(t[:], uint64(indexOff))
		copy(t[8:], trailerMagic[:])
		if _, err := w.out.Write(t[:]); err != nil {
			w.setErr(fmt.Errorf("record: write trailer: %w", err))
		} else {
			w.offset += trailerSize
			w.mu.Lock()
			w.stats.FileBytes = w.offset
			w.mu.Unlock()
		}
	}
	if w.file != nil {
		if err := w.file.Sync(); err != nil {
			w.setErr(fmt.Errorf("record: sync: %w", err))
		}
		if err := w.file.Close(); err != nil {
			w.setErr(fmt.Errorf("record: close: %w", err))
		}
	}
}

// maxIndex bounds the in-memory index (32 bytes per entry): past it, every
// other entry is dropped and only every stride-th block is indexed, so the
// index of a very long recording becomes sparse instead of growing.
const maxIndex = 1 << 16

func (w *Writer) addIndex(e IndexEntry) {
	if w.chunks == 0 {
		w.firstT, w.stride = e.First, 1
	}
	w.lastT = e.Last
	if w.chunks%w.stride == 0 {
		if len(w.index) == maxIndex {
			n := 0
			for i := 0; i < len(w.index); i += 2 {
				w.index[n] = w.index[i]
				n++
			}
			w.index = w.index[:n]
			w.stride *= 2
		}
		if w.chunks%w.stride == 0 {
			w.index = append(w.index, e)
		}
	}
	w.chunks++
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// Backlog returns the number of full chunks waiting for the disk; a
// producer that must not lose frames (a converter, a test) can wait while
// it is close to Options.Buffers.
func (w *Writer) Backlog() int { return len(w.full) }

// Buffers returns the number of chunk buffers.
func (w *Writer) Buffers() int { return w.opts.Buffers }
