// Package connect turns settings into a connected, unlocked XCP master: the
// Go counterpart of pyXCP's Master(transport, config).
//
// One call, [Open], takes the same [config.Config] the xcp command line loads
// (from xcp.toml, or built in Go starting from [config.Default]), opens the
// configured transport (Ethernet, CAN, SxI or USB) within the connection
// timeout, creates a master with the configured timeouts, retries and seed &
// key program, and sends CONNECT. The returned [Session] is that master; its
// Close sends DISCONNECT, closes the transport and releases everything Open
// started. With [Options].Simulator, Open serves goxcp's built-in simulator
// on an in-process medium of the configured transport (loopback for
// Ethernet) and connects to it — what `xcp --sim` does.
//
// The other direction, [Serve], serves a simulated slave (goxcp/sim) on
// TCP, UDP, XCP-on-Ethernet discovery, CAN buses and serial lines for
// other programs to connect to — what `xcp sim` does.
//
// Everything after connecting is done with the master and the feature
// packages: calibration by A2L name (goxcp/cal), DAQ lists by A2L name
// (goxcp/a2ldaq), measurement (goxcp/daq), recording (goxcp/recorder).
package connect
