package connect

import (
	"context"
	"log/slog"
	"time"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/transport"
	"github.com/goxcp/goxcp/transport/can/canbus"
	"github.com/goxcp/goxcp/transport/eth"
	"github.com/goxcp/goxcp/transport/sxi"
	"github.com/goxcp/goxcp/transport/usb"
)

// Dial opens the transport selected by transport.layer of c (default
// Ethernet) within transport.timeout, without speaking XCP on it. Open
// calls it; it is exported for programs that build their own master.
//
// Adding a transport: one case here turning its configuration section
// ([transport.x], a field of config.Transport) into a transport.Conn.
func Dial(ctx context.Context, c *config.Config, log *slog.Logger) (transport.Conn, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	layer := c.Transport.Layer
	if layer == "" {
		layer = config.DefaultLayer
	}
	var open func(context.Context) (transport.Conn, error)
	switch layer {
	case "eth":
		ec := c.Transport.Eth
		ec.Logger = log
		open = func(ctx context.Context) (transport.Conn, error) { return eth.Dial(ctx, ec) }
	case "can":
		if err := c.RequireCAN(); err != nil {
			return nil, err
		}
		open = func(ctx context.Context) (transport.Conn, error) {
			k := c.Transport.Can
			k.Logger = log
			return canbus.Dial(ctx, k)
		}
	case "sxi":
		if err := c.RequireSxi(); err != nil {
			return nil, err
		}
		k := c.Transport.Sxi
		k.Logger = log
		open = func(ctx context.Context) (transport.Conn, error) { return sxi.Dial(ctx, k) }
	case "usb":
		if err := c.RequireUsb(); err != nil {
			return nil, err
		}
		k := c.Transport.Usb
		k.Logger = log
		open = func(ctx context.Context) (transport.Conn, error) { return usb.Dial(ctx, k) }
	default:
		return nil, errLayer(layer)
	}
	return withTimeout(ctx, c.Transport.Timeout, open)
}

// withTimeout runs open with ctx bounded by the connection timeout
// (transport.timeout; 0 = config.DefaultTimeout).
func withTimeout(ctx context.Context, timeout time.Duration, open func(context.Context) (transport.Conn, error)) (transport.Conn, error) {
	if timeout <= 0 {
		timeout = config.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := open(ctx)
	if err != nil {
		// A transport's Dial returns a nil *T with its error: passed on
		// as a transport.Conn, that would be a non-nil interface.
		return nil, err
	}
	return conn, nil
}
