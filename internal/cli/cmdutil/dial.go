package cmdutil

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/eth"
)

// dial opens the transport selected by transport.layer.
//
// Adding a transport: one case here calling a dialX function (below) that
// turns its configuration section ([transport.x], a field of
// config.Transport) into a transport.Conn.
func dial(ctx context.Context, c *config.Config, log *slog.Logger) (transport.Conn, error) {
	layer := c.Transport.Layer
	if layer == "" {
		layer = config.DefaultLayer
	}
	switch layer {
	case "eth":
		return dialEth(ctx, c, log)
	case "can":
		return dialCAN(ctx, c, log)
	case "sxi":
		return dialSxi(ctx, c, log)
	case "usb":
		return dialUsb(ctx, c, log)
	default:
		return nil, fmt.Errorf("transport %q is not available in this build yet", layer)
	}
}

// dialEth opens the configured XCP-on-Ethernet connection.
func dialEth(ctx context.Context, c *config.Config, log *slog.Logger) (transport.Conn, error) {
	ec := c.Transport.Eth
	ec.Logger = log
	return dialEthConfig(ctx, ec, c.Transport.Timeout)
}

// dialEthConfig dials with the connection timeout (0 = the default).
func dialEthConfig(ctx context.Context, ec eth.Config, timeout time.Duration) (transport.Conn, error) {
	return withTimeout(ctx, timeout, func(ctx context.Context) (transport.Conn, error) { return eth.Dial(ctx, ec) })
}

// withTimeout runs open with ctx bounded by the connection timeout
// (transport.timeout; 0 = config.DefaultTimeout).
func withTimeout(ctx context.Context, timeout time.Duration, open func(context.Context) (transport.Conn, error)) (transport.Conn, error) {
	if timeout <= 0 {
		timeout = config.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return open(ctx)
}
