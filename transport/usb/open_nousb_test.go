//go:build !usb

package usb

import (
	"context"
	"errors"
	"testing"
)

func TestDialWithoutTagExplains(t *testing.T) {
	_, err := Dial(context.Background(), Config{VendorID: 1, ProductID: 2, InEndpoint: 1, OutEndpoint: 1})
	if !errors.Is(err, ErrNotBuilt) {
		t.Fatalf("err %v", err)
	}
	if ok, why := Available(); ok || why == "" {
		t.Fatal("Available must say why not")
	}
}
