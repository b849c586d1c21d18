// Package e2e holds end-to-end tests and benchmarks that run the master
// (goxcp/master) against the built-in simulator (goxcp/sim) over real XCP
// on Ethernet sockets on the loopback interface, next to raw-socket
// baselines of the same exchanges. It has no library code.
package e2e
