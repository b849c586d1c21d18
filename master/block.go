package master

import (
	"context"
	"errors"
	"time"
)

// Exchange sends the command packets reqs as one transfer — in master
// block mode spaced by gap (MIN_ST), the slave answering only the last —
// and waits for o.Responses response packets (several in slave block
// mode; 0 means 1). It returns copies of all response packets in arrival
// order. The error-handling matrix applies to the whole transfer unless
// o.NoRetry is set. Feature packages with command spaces of their own
// (SW-DBG) use it for their block transfers.
func (m *Master) Exchange(ctx context.Context, reqs [][]byte, gap time.Duration, o CallOptions) ([][]byte, error) {
	if len(reqs) == 0 || len(reqs[0]) == 0 {
		return nil, errors.New("master: empty command packet")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.call(ctx, reqs, gap, o); err != nil {
		return nil, err
	}
	out := make([][]byte, len(m.resps))
	for i := range m.resps {
		out[i] = append([]byte(nil), m.response(i)...)
	}
	return out, nil
}
