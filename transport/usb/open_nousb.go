//go:build !usb

package usb

import (
	"context"
)

// Dial reports ErrNotBuilt: USB support needs the `usb` build tag.
func Dial(ctx context.Context, cfg Config) (*Conn, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return nil, ErrNotBuilt
}

// Available reports whether this build can open USB devices, and why not.
func Available() (bool, string) { return false, ErrNotBuilt.Error() }
