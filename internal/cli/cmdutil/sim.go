package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"goxcp/config"
	"goxcp/master"
	"goxcp/sim"
	"goxcp/transport"
	"goxcp/transport/memconn"
)

// startSim starts an embedded simulator and returns the master's end of a
// connection to it, a function that stops the simulator and waits for it,
// and the simulator's key function.
func startSim(ctx context.Context, log *slog.Logger) (transport.Conn, func() error, master.KeyFunc, error) {
	slave := sim.New(sim.Config{Logger: log.With("side", "sim")})
	mc, sc := memconn.Pipe(256)
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	var serveErr error
	wg.Go(func() { serveErr = slave.Serve(sctx, sc) })
	stop := func() error {
		cancel()
		sc.Close()
		wg.Wait()
		if serveErr != nil {
			return fmt.Errorf("simulator: %w", serveErr)
		}
		return nil
	}
	return mc, stop, nil, nil
}

func dialEth(ctx context.Context, c *config.Config) (transport.Conn, error) {
	return nil, errors.New("transport eth is not available in this build yet")
}

func seedKeyCommand(cmd string) (master.KeyFunc, error) {
	return nil, errors.New("general.seed_n_key_command is not available in this build yet")
}
