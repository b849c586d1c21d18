//go:build usb

package usb

import (
	"context"
	"fmt"

	"github.com/google/gousb"
)

// Dial finds the device of cfg with libusb, claims its interface and runs
// XCP on USB over its bulk endpoints.
func Dial(ctx context.Context, cfg Config) (*Conn, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	f, _ := cfg.framing()
	uctx := gousb.NewContext()
	devs, err := uctx.OpenDevices(func(d *gousb.DeviceDesc) bool {
		return uint16(d.Vendor) == cfg.VendorID && uint16(d.Product) == cfg.ProductID
	})
	if err != nil && len(devs) == 0 {
		uctx.Close()
		return nil, fmt.Errorf("usb: open %04X:%04X: %w", cfg.VendorID, cfg.ProductID, err)
	}
	var dev *gousb.Device
	for _, d := range devs {
		if dev == nil && cfg.SerialNumber != "" {
			if sn, err := d.SerialNumber(); err == nil && sn == cfg.SerialNumber {
				dev = d
				continue
			}
		} else if dev == nil && cfg.SerialNumber == "" {
			dev = d
			continue
		}
		d.Close()
	}
	if dev == nil {
		uctx.Close()
		return nil, fmt.Errorf("usb: no device %04X:%04X (serial %q) found", cfg.VendorID, cfg.ProductID, cfg.SerialNumber)
	}
	conf := cfg.Configuration
	if conf == 0 {
		conf = 1
	}
	c, err := dev.Config(conf)
	if err != nil {
		dev.Close()
		uctx.Close()
		return nil, fmt.Errorf("usb: configuration %d: %w", conf, err)
	}
	intf, err := c.Interface(cfg.Interface, 0)
	if err != nil {
		c.Close()
		dev.Close()
		uctx.Close()
		return nil, fmt.Errorf("usb: interface %d: %w", cfg.Interface, err)
	}
	in, err := intf.InEndpoint(cfg.InEndpoint)
	if err == nil {
		var out *gousb.OutEndpoint
		out, err = intf.OutEndpoint(cfg.OutEndpoint)
		if err == nil {
			ep := &gousbEndpoints{uctx: uctx, dev: dev, cfg: c, intf: intf, in: in, out: out}
			return NewConn(ep, Options{Header: f.Header, MaxTransfer: cfg.MaxTransfer, Logger: cfg.Logger})
		}
	}
	intf.Close()
	c.Close()
	dev.Close()
	uctx.Close()
	return nil, fmt.Errorf("usb: endpoints IN %d / OUT %d: %w", cfg.InEndpoint, cfg.OutEndpoint, err)
}

// Available reports whether this build can open USB devices.
func Available() (bool, string) { return true, "libusb via gousb" }

type gousbEndpoints struct {
	uctx *gousb.Context
	dev  *gousb.Device
	cfg  *gousb.Config
	intf *gousb.Interface
	in   *gousb.InEndpoint
	out  *gousb.OutEndpoint
}

func (e *gousbEndpoints) Read(ctx context.Context, p []byte) (int, error) {
	return e.in.ReadContext(ctx, p)
}

func (e *gousbEndpoints) Write(ctx context.Context, p []byte) (int, error) {
	return e.out.WriteContext(ctx, p)
}

func (e *gousbEndpoints) Close() error {
	e.intf.Close()
	e.cfg.Close()
	e.dev.Close()
	return e.uctx.Close()
}
