package vcan

import (
	"errors"
	"net"
	"os"
	"testing"
)

// Environment variables of the kernel tests (see internal/kerneltest).
const (
	// EnvInterface names the vcan interface tests may use ("" = skip them).
	EnvInterface = "GOXCP_VCAN"
	// EnvCreate set to 1 lets tests create that interface (with FDMTU)
	// when it does not exist: inside the emulated machine or a network
	// namespace of their own.
	EnvCreate = "GOXCP_VCAN_CREATE"
)

// ForTest returns the vcan interface named by GOXCP_VCAN, creating it if
// GOXCP_VCAN_CREATE=1 and it is missing. It skips tb when no interface is
// configured, saying how the kernel tests run.
func ForTest(tb testing.TB) string {
	tb.Helper()
	name := os.Getenv(EnvInterface)
	if name == "" {
		tb.Skip("no vcan interface: SocketCAN tests against a real kernel run under QEMU via internal/kerneltest (or set GOXCP_VCAN=vcan0 on a machine that has one)")
	}
	if _, err := net.InterfaceByName(name); err == nil {
		return name
	}
	if os.Getenv(EnvCreate) != "1" {
		tb.Fatalf("%s=%s: no such interface (set %s=1 to create it)", EnvInterface, name, EnvCreate)
	}
	if err := Create(name, FDMTU); err != nil && !errors.Is(err, os.ErrExist) {
		tb.Fatalf("create %s: %v", name, err)
	}
	return name
}
