package wait

import (
	"context"
	"errors"
	"testing"
)

func TestForFullWait(t *testing.T) {
	if err := For(context.Background(), 0); err != nil {
		t.Fatalf("For(0) = %v, want nil", err)
	}
}

func TestForCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// An hour-long wait on a cancelled context returns at once with its error.
	if err := For(ctx, 1<<62); !errors.Is(err, context.Canceled) {
		t.Fatalf("For(cancelled) = %v, want context.Canceled", err)
	}
}
