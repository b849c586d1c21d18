package can

import "context"

// Bus is a CAN interface: a controller, an adapter or a virtual bus.
//
// Receive delivers error frames (Frame.Error) where the backend reports
// them; Conn counts and logs them (Health) instead of passing them on.
//
// Concurrency: Send may be called concurrently with Receive; each of them
// from one goroutine at a time. Close unblocks both (they then return an
// error matching net.ErrClosed) and may be called more than once.
type Bus interface {
	// Send transmits one frame.
	Send(ctx context.Context, f Frame) error
	// Receive returns the next frame from the bus.
	Receive(ctx context.Context) (Frame, error)
	// Close releases the interface.
	Close() error
}

// Filterer is implemented by buses that can filter identifiers in hardware
// or in the kernel. Conn installs a filter that contains every identifier
// it uses (slave, broadcast and DAQ-list-specific identifiers).
type Filterer interface {
	SetFilter(ids []ID) error
}

// Describer is implemented by buses that can name themselves for Info.
type Describer interface {
	Describe() string
}

// DropCounter is implemented by buses that know how many received frames
// were dropped before the program could read them (SocketCAN: the socket
// receive queue overflowed). Conn reports the count as Stats().Lost.
type DropCounter interface {
	Dropped() uint64
}
