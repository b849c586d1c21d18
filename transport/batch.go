package transport

import "context"

// BatchSender is implemented by connections that can send several packets
// in one go (XCP on Ethernet packs them into one write or datagram, each
// still in its own frame with its own counter). STIM and master block mode
// use it when available; see SendAll.
type BatchSender interface {
	// SendBatch sends the packets in order. On error, an unknown prefix of
	// them may have been sent.
	SendBatch(ctx context.Context, packets [][]byte) error
}

// SendAll sends packets over c in order: in one SendBatch call if c is a
// BatchSender, otherwise one Send per packet.
func SendAll(ctx context.Context, c Conn, packets [][]byte) error {
	if b, ok := c.(BatchSender); ok {
		return b.SendBatch(ctx, packets)
	}
	for _, p := range packets {
		if err := c.Send(ctx, p); err != nil {
			return err
		}
	}
	return nil
}
