package sxi

import (
	"context"
	"testing"

	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/transporttest"
)

// TestConformancePTY runs the conformance suite with the master on the tty
// side of a pseudo-terminal (opened like a serial port) and the slave on
// the controlling side.
func TestConformancePTY(t *testing.T) {
	for _, cfg := range []Config{
		{HeaderFormat: "HEADER_LEN_BYTE", TailFormat: "CHECKSUM_BYTE"},
		{HeaderFormat: "HEADER_LEN_CTR_WORD", TailFormat: "CHECKSUM_WORD", Framing: true, MaxPacket: 2048},
	} {
		t.Run(cfg.HeaderFormat+"/"+cfg.TailFormat, func(t *testing.T) {
			transporttest.TestConn(t, func() (transport.Conn, transport.Conn, func(), error) {
				p, err := OpenPTY()
				if err != nil {
					t.Skip(err)
				}
				f, err := cfg.FramingOf()
				if err != nil {
					return nil, nil, nil, err
				}
				s, err := NewConn(p.Master, f, Options{})
				if err != nil {
					p.Close()
					return nil, nil, nil, err
				}
				k := cfg
				k.Port, k.Bitrate = p.TTYPath, 115200
				m, err := Dial(context.Background(), k)
				if err != nil {
					s.Close()
					p.Close()
					return nil, nil, nil, err
				}
				return m, s, func() { p.Close() }, nil
			})
		})
	}
}
