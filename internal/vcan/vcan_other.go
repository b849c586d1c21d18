//go:build !linux

// Package vcan creates and removes Linux virtual CAN interfaces; on other
// systems it reports that vcan is Linux-only.
package vcan

import "errors"

// MTUs of a vcan interface.
const (
	ClassicMTU = 16
	FDMTU      = 72
)

var errNotLinux = errors.New("vcan: virtual CAN interfaces exist on Linux only")

// Create reports that vcan is Linux-only.
func Create(name string, mtu int) error { return errNotLinux }

// Delete reports that vcan is Linux-only.
func Delete(name string) error { return errNotLinux }
