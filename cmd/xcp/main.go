// Command xcp is the goxcp command-line tool: an XCP master for measuring,
// calibrating, flashing and debugging ECUs, with a built-in simulator.
// Run `xcp --help` for the subcommands.
package main

import (
	"os"

	"github.com/goxcp/goxcp/internal/cli/root"
)

func main() { os.Exit(root.Main()) }
