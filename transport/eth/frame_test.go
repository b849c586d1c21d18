package eth

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/goxcp/goxcp/transport"
)

// frame returns the XCP on Ethernet frame for packet.
func frame(ctr uint16, packet []byte) []byte {
	return append(appendHeader(nil, len(packet), ctr), packet...)
}

func TestAppendHeaderGolden(t *testing.T) {
	// LEN 0x0102, CTR 0xA0B1, both Intel byte order.
	got := appendHeader(nil, 0x0102, 0xA0B1)
	if want := []byte{0x02, 0x01, 0xB1, 0xA0}; !bytes.Equal(got, want) {
		t.Fatalf("header % X, want % X", got, want)
	}
	// CONNECT (FF 00) with CTR 0.
	if got, want := frame(0, []byte{0xFF, 0x00}), []byte{0x02, 0x00, 0x00, 0x00, 0xFF, 0x00}; !bytes.Equal(got, want) {
		t.Fatalf("frame % X, want % X", got, want)
	}
}

func TestCheckDatagram(t *testing.T) {
	good := append(frame(1, []byte{0xFF}), frame(2, []byte{0xFE, 0x10})...)
	tests := []struct {
		name   string
		d      []byte
		frames int
		bad    string // substring of the error, "" = valid
	}{
		{"two frames", good, 2, ""},
		{"jumbo", frame(7, make([]byte, 8000)), 1, ""},
		{"largest", frame(7, make([]byte, maxUDPPacket6)), 1, ""},
		{"empty", nil, 0, "empty datagram"},
		{"short header", []byte{1, 0, 0}, 0, "inside a frame header (3 of 4"},
		{"trailing bytes", append(append([]byte{}, good...), 1, 0), 2, "inside a frame header (2 of 4"},
		{"LEN 0", []byte{0, 0, 0, 0, 0xFF}, 0, "LEN is 0"},
		{"LEN past end", []byte{5, 0, 0, 0, 0xFF, 1}, 0, "LEN 5 runs past the end of the datagram (2 bytes left)"},
		{"LEN too big", []byte{0xFF, 0xFF, 0, 0, 0xFF}, 0, "LEN 65535 exceeds the maximum 65531"},
		{"second frame bad", append(frame(1, []byte{0xFF}), 9, 0, 0, 0, 1), 1, "offset 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := checkDatagram(tt.d)
			if n != tt.frames {
				t.Errorf("frames = %d, want %d", n, tt.frames)
			}
			if tt.bad == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var fe *FrameError
			if !errors.As(err, &fe) || !errors.Is(err, transport.ErrFrame) {
				t.Fatalf("error %v is not a *FrameError matching transport.ErrFrame", err)
			}
			if !bytes.Contains([]byte(err.Error()), []byte(tt.bad)) {
				t.Fatalf("error %q does not say %q", err, tt.bad)
			}
		})
	}
}

// chunks is a reader returning its data in pieces of the given sizes
// (cycled), then io.EOF.
type chunks struct {
	data  []byte
	sizes []int
	i     int
}

func (c *chunks) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := 1
	if len(c.sizes) > 0 {
		n = max(c.sizes[c.i%len(c.sizes)], 1)
		c.i++
	}
	n = min(n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func TestStreamSplits(t *testing.T) {
	var in []byte
	var want [][]byte
	for i := range 300 {
		p := bytes.Repeat([]byte{byte(i)}, 1+(i*37)%3000)
		if i == 150 {
			p = make([]byte, MaxPacket)
		}
		want = append(want, p)
		in = append(in, frame(uint16(i), p)...)
	}
	for _, sizes := range [][]int{{1}, {3}, {4}, {5, 1, 7}, {1000}, {65536}, {1 << 20}} {
		var reads int64
		s := newStream(&chunks{data: in, sizes: sizes}, func() int64 { reads++; return reads })
		var last int64
		for i, w := range want {
			p, ctr, err := s.next()
			if err != nil {
				t.Fatalf("reads of %v: frame %d: %v", sizes, i, err)
			}
			if ctr != uint16(i) || !bytes.Equal(p, w) {
				t.Fatalf("reads of %v: frame %d: ctr %d, %d bytes; want ctr %d, %d bytes", sizes, i, ctr, len(p), i, len(w))
			}
			if s.time < last {
				t.Fatalf("time went backwards")
			}
			last = s.time
		}
		if _, _, err := s.next(); err != io.EOF {
			t.Fatalf("reads of %v: after the last frame: %v, want io.EOF", sizes, err)
		}
	}
}

func TestStreamErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"LEN 0", append(frame(0, []byte{1}), 0, 0, 0, 0), "stream offset 5: LEN is 0"},
		{"LEN too big", []byte{0xFE, 0xFF, 0, 0}, "LEN 65534 exceeds"},
		{"cut in frame", append(frame(0, []byte{1}), 9, 0, 0, 0, 1, 2), "connection closed inside a frame (LEN 9, 2 bytes received)"},
		{"cut in header", append(frame(0, []byte{1}), 9, 0), "inside a frame header (2 of 4 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStream(&chunks{data: tt.in, sizes: []int{2}}, func() int64 { return 0 })
			var err error
			for range 10 {
				if _, _, err = s.next(); err != nil {
					break
				}
			}
			var fe *FrameError
			if !errors.As(err, &fe) || !errors.Is(err, transport.ErrFrame) {
				t.Fatalf("error %v is not a *FrameError matching transport.ErrFrame", err)
			}
			if !bytes.Contains([]byte(err.Error()), []byte(tt.want)) {
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestCtrTracker(t *testing.T) {
	many := func(from uint16, n int, step uint16) []uint16 {
		var c []uint16
		for i := range n {
			c = append(c, from+uint16(i)*step)
		}
		return c
	}
	tests := []struct {
		name    string
		ordered bool
		ctrs    []uint16
		lost    int64
	}{
		{"in order", false, []uint16{5, 6, 7, 8}, 0},
		{"wrap", false, []uint16{65534, 65535, 0, 1}, 0},
		{"gap", false, []uint16{1, 2, 5, 6}, 2},
		{"gap over wrap", false, []uint16{65534, 1}, 2},
		{"duplicate", false, []uint16{1, 2, 2, 3}, 0},
		{"late datagram un-counts its loss", false, []uint16{1, 2, 4, 3, 5}, 0},
		{"late and lost", false, []uint16{1, 5, 3, 6}, 2},
		{"late twice counts once", false, []uint16{1, 3, 2, 2, 4}, 0},
		{"old duplicate within the window", false, []uint16{100, 101, 50, 51, 102}, 0},
		{"gap of 40000 (beyond half the range)", false, []uint16{10, 40011, 40012}, 40000},
		{"gap of 65000", false, []uint16{0, 65001}, 65000},
		{"gap of 65536 + 3 shows as 3", false, []uint16{7, 11}, 3},
		{"long run with big gaps", false, many(0, 10, 50000), 9 * 49999},
		{"first frame any value", false, []uint16{4711}, 0},
		{"tcp: any jump is a loss", true, []uint16{100, 101, 50}, 65484},
		{"tcp: gap", true, []uint16{1, 2, 5}, 2},
		{"tcp: in order over wrap", true, []uint16{65535, 0, 1}, 0},
	}
	for _, tt := range tests {
		tr := ctrTracker{ordered: tt.ordered}
		var lost int64
		for _, c := range tt.ctrs {
			lost += tr.observe(c)
		}
		if lost != tt.lost {
			t.Errorf("%s: lost %d, want %d", tt.name, lost, tt.lost)
		}
	}
}

// FuzzStream feeds arbitrary bytes, in arbitrary read sizes, to the TCP
// stream splitter: it must return valid frames or a typed error, never
// panic or loop, and every packet must match its LEN.
func FuzzStream(f *testing.F) {
	f.Add(frame(0, []byte{0xFF, 0x00}), uint8(1))
	f.Add(append(frame(1, []byte{0xFF, 1, 2, 3}), frame(2, []byte{0xFE, 0x20})...), uint8(3))
	f.Add([]byte{0, 0, 0, 0}, uint8(4))
	f.Add([]byte{0xFF, 0xFF, 0, 0, 1}, uint8(2))
	f.Add([]byte{9, 0, 1, 0, 1, 2}, uint8(7))
	f.Add(frame(3, make([]byte, 300)), uint8(200))
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		s := newStream(&chunks{data: data, sizes: []int{int(step)}}, func() int64 { return 0 })
		total := 0
		for {
			p, _, err := s.next()
			if err != nil {
				if err != io.EOF && !errors.Is(err, transport.ErrFrame) {
					t.Fatalf("untyped error %v", err)
				}
				if err == io.EOF && total != len(data) {
					t.Fatalf("io.EOF after %d of %d bytes", total, len(data))
				}
				return
			}
			n := int(binary.LittleEndian.Uint16(data[total:]))
			if len(p) != n || n == 0 || !bytes.Equal(p, data[total+HeaderLen:total+HeaderLen+n]) {
				t.Fatalf("packet of %d bytes at %d does not match LEN %d", len(p), total, n)
			}
			total += HeaderLen + n
		}
	})
}

// FuzzDatagram feeds arbitrary datagrams to the UDP splitter: a datagram
// is either rejected with a typed error or split into frames that cover it
// exactly.
func FuzzDatagram(f *testing.F) {
	f.Add(frame(0, []byte{0xFF, 0x00}))
	f.Add(append(frame(1, []byte{0xFF, 1, 2, 3}), frame(2, []byte{0xFE, 0x20})...))
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{5, 0, 0, 0, 1})
	f.Add([]byte{1, 0, 0})
	f.Add(frame(9, make([]byte, 8000)))
	f.Fuzz(func(t *testing.T, d []byte) {
		n, err := checkDatagram(d)
		if err != nil {
			if !errors.Is(err, transport.ErrFrame) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		g := datagram{d: d}
		got, size := 0, 0
		for g.more() {
			p, _ := g.next()
			if len(p) == 0 {
				t.Fatal("empty packet from a valid datagram")
			}
			got++
			size += HeaderLen + len(p)
		}
		if got != n || size != len(d) {
			t.Fatalf("split into %d frames of %d bytes, checkDatagram said %d frames of %d", got, size, n, len(d))
		}
	})
}

func TestCtrTrackerRepeated(t *testing.T) {
	tests := []struct {
		name    string
		ordered bool
		ctrs    []uint16
		want    []bool // repeated, per frame
	}{
		{"udp: exact repeat", false, []uint16{1, 2, 2, 3}, []bool{false, false, true, false}},
		{"udp: old repeat within the window", false, []uint16{10, 11, 12, 10}, []bool{false, false, false, true}},
		{"udp: late frame that was counted lost is delivered", false, []uint16{1, 2, 4, 3, 3}, []bool{false, false, false, false, true}},
		{"udp: no repeats before the peer is seen counting", false, []uint16{5, 5, 5}, []bool{false, false, false}},
		{"udp: constant counter never discarded", false, []uint16{0, 0, 0, 0, 0, 0, 0}, []bool{false, false, false, false, false, false, false}},
		{"tcp: repeat of the previous frame", true, []uint16{1, 2, 2, 3, 3}, []bool{false, false, true, false, true}},
		{"tcp: an older counter is a jump, not a repeat", true, []uint16{1, 2, 0}, []bool{false, false, false}},
		{"restart after maxRepeats repeats in a row", false, []uint16{1, 2, 3, 0, 1, 2, 3, 0, 1}, []bool{false, false, false, true, true, true, true, false, false}},
	}
	for _, tt := range tests {
		tr := ctrTracker{ordered: tt.ordered}
		for i, c := range tt.ctrs {
			got := tr.repeated(c)
			if got != tt.want[i] {
				t.Errorf("%s: frame %d (ctr %d): repeated %v, want %v", tt.name, i, c, got, tt.want[i])
			}
			if !got {
				tr.observe(c)
			}
		}
	}
}
