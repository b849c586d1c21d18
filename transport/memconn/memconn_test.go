package memconn_test

import (
	"testing"

	"go.uber.org/goleak"

	"goxcp/transport"
	"goxcp/transport/memconn"
	"goxcp/transport/transporttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConformance(t *testing.T) {
	transporttest.TestConn(t, func() (transport.Conn, transport.Conn, func(), error) {
		a, b := memconn.Pipe(16)
		return a, b, nil, nil
	})
}
