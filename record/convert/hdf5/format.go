package hdf5

// This file encodes the HDF5 structures the Sink needs (HDF5 File Format
// Specification, version 0 superblock): superblock, version 1 object
// headers with dataspace, datatype, fill value, layout, attribute and
// symbol table messages, local heaps, version 1 B-tree group nodes and
// symbol table nodes. Everything is little-endian with 8-byte offsets and
// lengths.

import (
	"encoding/binary"
	"sort"
)

const (
	undef     = ^uint64(0) // undefined address
	leafK     = 64         // symbol table node holds up to 2*leafK entries
	internalK = 64         // B-tree node holds up to 2*internalK children
	sbSize    = 96
	entrySize = 40
)

var le = binary.LittleEndian

func pad8(n int) int { return (n + 7) &^ 7 }

// dtype is an HDF5 datatype message body.
type dtype []byte

func fixedType(size int, signed bool) dtype {
	b := make([]byte, 12)
	b[0] = 0x10 // version 1 (high nibble), class 0 fixed-point (low nibble)
	if signed {
		b[1] = 0x08
	}
	le.PutUint32(b[4:], uint32(size))
	le.PutUint16(b[8:], 0)
	le.PutUint16(b[10:], uint16(size*8))
	return b
}

func floatType(size int) dtype {
	b := make([]byte, 20)
	b[0] = 0x10 | 1 // version 1, class 1 floating-point
	b[1] = 0x20     // mantissa normalisation: most significant bit implied
	le.PutUint32(b[4:], uint32(size))
	if size == 4 {
		b[2] = 31
		le.PutUint16(b[10:], 32)
		b[12], b[13], b[14], b[15] = 23, 8, 0, 23
		le.PutUint32(b[16:], 127)
	} else {
		b[2] = 63
		le.PutUint16(b[10:], 64)
		b[12], b[13], b[14], b[15] = 52, 11, 0, 52
		le.PutUint32(b[16:], 1023)
	}
	return b
}

func stringType(n int) dtype {
	b := make([]byte, 8)
	b[0] = 0x10 | 3 // version 1, class 3 string; null-terminated ASCII
	le.PutUint32(b[4:], uint32(n))
	return b
}

func dataspace(dims ...uint64) []byte {
	b := make([]byte, 8, 8+8*len(dims))
	b[0], b[1] = 1, byte(len(dims))
	for _, d := range dims {
		b = le.AppendUint64(b, d)
	}
	return b
}

// message types
const (
	msgDataspace   = 0x0001
	msgDatatype    = 0x0003
	msgFillValue   = 0x0005
	msgLayout      = 0x0008
	msgAttribute   = 0x000C
	msgSymbolTable = 0x0011
)

type message struct {
	typ  uint16
	data []byte
}

// attribute is a named scalar string or int64.
type attribute struct {
	name string
	str  *string
	num  int64
}

func (a attribute) message() message {
	var dt dtype
	var val []byte
	if a.str != nil {
		dt = stringType(len(*a.str) + 1)
		val = append([]byte(*a.str), 0)
	} else {
		dt = fixedType(8, true)
		val = le.AppendUint64(nil, uint64(a.num))
	}
	ds := dataspace()
	b := []byte{1, 0}
	b = le.AppendUint16(b, uint16(len(a.name)+1))
	b = le.AppendUint16(b, uint16(len(dt)))
	b = le.AppendUint16(b, uint16(len(ds)))
	b = append(b, a.name...)
	b = append(b, make([]byte, pad8(len(a.name)+1)-len(a.name))...)
	b = append(b, dt...)
	b = append(b, make([]byte, pad8(len(dt))-len(dt))...)
	b = append(b, ds...)
	b = append(b, make([]byte, pad8(len(ds))-len(ds))...)
	return message{msgAttribute, append(b, val...)}
}

// objectHeader encodes a version 1 object header.
func objectHeader(msgs []message) []byte {
	size := 0
	for _, m := range msgs {
		size += 8 + pad8(len(m.data))
	}
	b := make([]byte, 16, 16+size)
	b[0] = 1
	le.PutUint16(b[2:], uint16(len(msgs)))
	le.PutUint32(b[4:], 1)
	le.PutUint32(b[8:], uint32(size))
	for _, m := range msgs {
		n := pad8(len(m.data))
		b = le.AppendUint16(b, m.typ)
		b = le.AppendUint16(b, uint16(n))
		b = append(b, 0, 0, 0, 0)
		b = append(b, m.data...)
		b = append(b, make([]byte, n-len(m.data))...)
	}
	return b
}

func datasetHeader(dt dtype, rows, addr uint64, attrs []attribute) []byte {
	size := rows * uint64(le.Uint32(dt[4:]))
	if rows == 0 {
		addr = undef
	}
	layout := []byte{3, 1}
	layout = le.AppendUint64(layout, addr)
	layout = le.AppendUint64(layout, size)
	msgs := []message{
		{msgDataspace, dataspace(rows)},
		{msgDatatype, dt},
		{msgFillValue, []byte{2, 2, 2, 0}}, // version 2, late allocation, write fill if set, undefined
		{msgLayout, layout},
	}
	for _, a := range attrs {
		msgs = append(msgs, a.message())
	}
	return objectHeader(msgs)
}

// alloc hands out file space sequentially.
type alloc struct{ end uint64 }

func (a *alloc) take(n int) uint64 {
	at := a.end
	a.end += uint64(pad8(n))
	return at
}

// child is a link in a group.
type child struct {
	name   string
	header uint64 // object header address
	group  *group // non-nil for a group (cache type 1)
}

// group is a symbol-table group laid out in the file.
type group struct {
	children []child
	attrs    []attribute
	header   uint64 // object header address
	btree    uint64
	heap     uint64
	blobs    []blob // encoded structures with their addresses
}

type blob struct {
	at   uint64
	data []byte
}

// layout assigns addresses to the group's header, local heap, B-tree and
// symbol table nodes and encodes them; children's header addresses must
// be known.
func (g *group) layout(a *alloc) {
	sort.Slice(g.children, func(i, j int) bool { return g.children[i].name < g.children[j].name })
	// Local heap data segment: "" at offset 0, then the names.
	seg := make([]byte, 8)
	offs := make([]uint64, len(g.children))
	for i, c := range g.children {
		offs[i] = uint64(len(seg))
		seg = append(seg, c.name...)
		seg = append(seg, make([]byte, pad8(len(c.name)+1)-len(c.name))...)
	}
	nodes := (len(g.children) + 2*leafK - 1) / (2 * leafK)
	if nodes == 0 {
		nodes = 1
	}
	hdr := objectHeader(append([]message{{msgSymbolTable, make([]byte, 16)}}, g.attrMessages()...))
	g.header = a.take(len(hdr))
	g.heap = a.take(32)
	segAt := a.take(len(seg))
	btreeSize := 24 + (2*internalK+1)*8 + 2*internalK*8
	g.btree = a.take(btreeSize)
	snodSize := 8 + 2*leafK*entrySize
	snods := make([]uint64, nodes)
	for i := range snods {
		snods[i] = a.take(snodSize)
	}
	// Object header with the symbol table message.
	le.PutUint64(hdr[16+8:], g.btree)
	le.PutUint64(hdr[16+16:], g.heap)
	// Local heap.
	heap := []byte("HEAP\x00\x00\x00\x00")
	heap = le.AppendUint64(heap, uint64(len(seg)))
	heap = le.AppendUint64(heap, 1) // no free list (H5HL_FREE_NULL)
	heap = le.AppendUint64(heap, segAt)
	// B-tree leaf: key0 = "", child i, key i+1 = last name in child i.
	bt := make([]byte, 0, btreeSize)
	bt = append(bt, "TREE"...)
	bt = append(bt, 0, 0) // group node, leaf
	bt = le.AppendUint16(bt, uint16(nodes))
	bt = le.AppendUint64(bt, undef)
	bt = le.AppendUint64(bt, undef)
	bt = le.AppendUint64(bt, 0)
	for i := range nodes {
		bt = le.AppendUint64(bt, snods[i])
		last := min((i+1)*2*leafK, len(g.children)) - 1
		var key uint64
		if last >= 0 {
			key = offs[last]
		}
		bt = le.AppendUint64(bt, key)
	}
	bt = append(bt, make([]byte, btreeSize-len(bt))...)
	g.blobs = append(g.blobs, blob{g.header, hdr}, blob{g.heap, heap}, blob{segAt, seg}, blob{g.btree, bt})
	for i := range nodes {
		lo, hi := i*2*leafK, min((i+1)*2*leafK, len(g.children))
		sn := make([]byte, 0, snodSize)
		sn = append(sn, "SNOD"...)
		sn = append(sn, 1, 0)
		sn = le.AppendUint16(sn, uint16(hi-lo))
		for j := lo; j < hi; j++ {
			sn = appendEntry(sn, offs[j], g.children[j])
		}
		sn = append(sn, make([]byte, snodSize-len(sn))...)
		g.blobs = append(g.blobs, blob{snods[i], sn})
	}
}

func (g *group) attrMessages() []message {
	var ms []message
	for _, a := range g.attrs {
		ms = append(ms, a.message())
	}
	return ms
}

// appendEntry appends a symbol table entry.
func appendEntry(b []byte, nameOff uint64, c child) []byte {
	b = le.AppendUint64(b, nameOff)
	b = le.AppendUint64(b, c.header)
	if c.group == nil {
		b = le.AppendUint32(b, 0)
		b = le.AppendUint32(b, 0)
		return append(b, make([]byte, 16)...)
	}
	b = le.AppendUint32(b, 1)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint64(b, c.group.btree)
	return le.AppendUint64(b, c.group.heap)
}

// superblock encodes a version 0 superblock for the root group g.
func superblock(root *group, eof uint64) []byte {
	b := []byte{0x89, 'H', 'D', 'F', '\r', '\n', 0x1A, '\n', 0, 0, 0, 0, 0, 8, 8, 0}
	b = le.AppendUint16(b, leafK)
	b = le.AppendUint16(b, internalK)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint64(b, 0)
	b = le.AppendUint64(b, undef)
	b = le.AppendUint64(b, eof)
	b = le.AppendUint64(b, undef)
	return appendEntry(b, 0, child{header: root.header, group: root})
}
