package can

import (
	"context"
	"fmt"
	"time"

	"github.com/goxcp/goxcp/protocol/xcp"
)

// SlaveID is a slave that answered GET_SLAVE_ID on the broadcast
// identifier: the identifier it answered on (its can_id_slave), the
// command identifier it reported (its can_id_master, bit-31 convention)
// and the byte order that reading assumed.
type SlaveID struct {
	ResponseID ID
	CmdID      ID
	Order      xcp.ByteOrder
}

// DecodeSlaveID reads a GET_SLAVE_ID answer (echo mode) that arrived on
// identifier from. The byte order of the command identifier is not known
// before CONNECT: Intel is tried first, Motorola if the Intel reading is
// not a valid identifier.
func DecodeSlaveID(from ID, payload []byte) (SlaveID, error) {
	var firstErr error
	for _, o := range []xcp.ByteOrder{xcp.Intel, xcp.Motorola} {
		var r xcp.GetSlaveIDResponse
		if err := r.Decode(payload, xcp.Format{Order: o}); err != nil {
			return SlaveID{}, err
		}
		if r.Inverse {
			return SlaveID{}, fmt.Errorf("can: GET_SLAVE_ID answer in inverse-echo mode to an echo request: %w", xcp.ErrMalformed)
		}
		id, err := ParseID(r.CmdID)
		if err == nil {
			return SlaveID{ResponseID: from, CmdID: id, Order: o}, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return SlaveID{}, fmt.Errorf("can: GET_SLAVE_ID answer names no valid identifier: %w", firstErr)
}

// DetectSlaves sends GET_SLAVE_ID (echo mode) on the broadcast identifier
// (bit-31 convention) and collects the answers that arrive within wait.
// cfg supplies the frame format (FD, padding); its identifiers are not
// used. bus must not filter identifiers (the answers come on each slave's
// own identifier); frames that are not GET_SLAVE_ID answers are ignored.
func DetectSlaves(ctx context.Context, bus Bus, cfg Config, broadcast uint32, wait time.Duration) ([]SlaveID, error) {
	if err := cfg.validateFormat(); err != nil {
		return nil, err
	}
	bid, err := ParseID(broadcast)
	if err != nil {
		return nil, fmt.Errorf("can: broadcast identifier: %w", err)
	}
	f, err := cfg.frame(bid, xcp.GetSlaveID{}.Append(nil, xcp.Format{}))
	if err != nil {
		return nil, err
	}
	if err := bus.Send(ctx, f); err != nil {
		return nil, fmt.Errorf("can: send GET_SLAVE_ID: %w", err)
	}
	var found []SlaveID
	err = collect(ctx, bus, wait, func(fr Frame) bool {
		if s, err := DecodeSlaveID(fr.Key(), fr.Payload()); err == nil {
			found = append(found, s)
		}
		return false
	})
	return found, err
}

// Responder is a slave found by ScanConnect: it answered CONNECT sent on
// MasterID with a positive response on SlaveID.
type Responder struct {
	MasterID, SlaveID ID
	Response          []byte // the CONNECT response (with any padding)
	// Connect is Response decoded: MAX_CTO, MAX_DTO, byte order,
	// resources of the slave that answered.
	Connect xcp.ConnectResponse
}

// ScanConnect sends CONNECT (normal mode) on every identifier from first
// to last (same format; bit-31 convention) and reports the identifiers a
// positive CONNECT response answered, waiting at most wait per identifier.
// A slave that answers is sent DISCONNECT again. cfg supplies the frame
// format (FD, padding); its identifiers are not used. bus must not filter
// identifiers. progress, if not nil, is called after each identifier
// with the identifiers done and the size of the range (done counts up to
// total; a scan of 0x700-0x7FF ends with progress(256, 256)).
func ScanConnect(ctx context.Context, bus Bus, cfg Config, first, last uint32, wait time.Duration, progress func(done, total int64)) ([]Responder, error) {
	if err := cfg.validateFormat(); err != nil {
		return nil, err
	}
	lo, err := ParseID(first)
	if err != nil {
		return nil, fmt.Errorf("can: scan start: %w", err)
	}
	hi, err := ParseID(last)
	if err != nil {
		return nil, fmt.Errorf("can: scan end: %w", err)
	}
	if lo.Extended != hi.Extended || lo.Value > hi.Value {
		return nil, fmt.Errorf("can: scan range 0x%s..0x%s is empty or mixes 11- and 29-bit identifiers", lo, hi)
	}
	connect := xcp.Connect{Mode: xcp.ConnectNormal}.Append(nil, xcp.Format{})
	disconnect := xcp.Disconnect{}.Append(nil, xcp.Format{})
	var found []Responder
	for v := lo.Value; ; v++ {
		id := ID{Value: v, Extended: lo.Extended}
		f, err := cfg.frame(id, connect)
		if err != nil {
			return found, err
		}
		if err := bus.Send(ctx, f); err != nil {
			return found, fmt.Errorf("can: send CONNECT on %s: %w", id, err)
		}
		var hit *Responder
		err = collect(ctx, bus, wait, func(fr Frame) bool {
			var r xcp.ConnectResponse
			if r.Decode(fr.Payload(), xcp.Format{}) != nil {
				return false
			}
			hit = &Responder{MasterID: id, SlaveID: fr.Key(), Response: append([]byte(nil), fr.Payload()...), Connect: r}
			return true
		})
		if err != nil {
			return found, err
		}
		if hit != nil {
			found = append(found, *hit)
			if f, err := cfg.frame(id, disconnect); err == nil {
				if err := bus.Send(ctx, f); err != nil {
					return found, fmt.Errorf("can: send DISCONNECT on %s: %w", id, err)
				}
				// Wait for its answer so that it (padded, it looks like a
				// CONNECT response) is not taken for the next identifier's.
				err = collect(ctx, bus, wait, func(fr Frame) bool {
					return fr.Key() == hit.SlaveID && fr.Len > 0 && fr.Data[0] == xcp.PIDRes
				})
				if err != nil {
					return found, err
				}
			}
		}
		if progress != nil {
			progress(int64(v-lo.Value)+1, int64(hi.Value-lo.Value)+1)
		}
		if v == hi.Value {
			return found, nil
		}
	}
}

// collect passes the frames received during wait to take until it returns
// true. Only the end of ctx is an error.
func collect(ctx context.Context, bus Bus, wait time.Duration, take func(Frame) bool) error {
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		fr, err := bus.Receive(wctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if wctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("can: receive: %w", err)
		}
		if take(fr) {
			return nil
		}
	}
}
