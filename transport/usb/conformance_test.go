package usb

import (
	"testing"

	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/sxi"
	"github.com/goxcp/goxcp/transport/transporttest"
)

func TestConformancePipe(t *testing.T) {
	for _, h := range []sxi.HeaderFormat{sxi.LenCtrWord, sxi.LenByte} {
		t.Run(h.String(), func(t *testing.T) {
			transporttest.TestConn(t, func() (transport.Conn, transport.Conn, func(), error) {
				a, b := Pipe()
				m, err := NewConn(a, Options{Header: h})
				if err != nil {
					return nil, nil, nil, err
				}
				s, err := NewConn(b, Options{Header: h})
				if err != nil {
					return nil, nil, nil, err
				}
				return m, s, nil, nil
			})
		})
	}
}
