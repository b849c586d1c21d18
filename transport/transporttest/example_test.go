package transporttest_test

import (
	"testing"

	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/memconn"
	"github.com/goxcp/goxcp/transport/transporttest"
)

// A transport's conformance test: TestConn opens pairs with the given
// function and runs the whole suite on them. This is how package memconn
// tests its in-process pair (a network transport would listen on
// Loopback(t, false) with port 0 and dial it).
//
// TestConn needs the test's *testing.T, which an Example function does not
// have: this example is compiled, not run. Every transport's own test runs
// it.
func ExampleTestConn() {
	testConformance := func(t *testing.T) {
		transporttest.TestConn(t, func() (master, slave transport.Conn, stop func(), err error) {
			a, b := memconn.Pipe(16)
			return a, b, func() {}, nil
		})
	}
	_ = testConformance
}
